import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import RacingCounter from './components/RacingCounter.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('RacingCounter', RacingCounter);
  },
} satisfies Theme;
