import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import RacingCounter from './components/RacingCounter.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app, router }) {
    app.component('RacingCounter', RacingCounter);
    // The browser test walks the API reference through the router (no full reload per page).
    if (typeof window !== 'undefined') (window as { __docsRouter?: unknown }).__docsRouter = router;
  },
} satisfies Theme;
