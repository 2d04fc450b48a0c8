// A typedoc plugin: keeps the error class of every `@throws {SomeError} when ...` in the API pages.
// typedoc reads `{SomeError}` as a JSDoc type annotation and, by default, drops it; with
// `preservedTypeAnnotationTags: ["@throws"]` it keeps it on the tag, but typedoc-plugin-markdown
// renders only the tag's text. So the class is moved into the text, as code: "`SomeError` when ...".
import { Converter } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const reflection of Object.values(context.project.reflections)) {
      const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
      for (const comment of comments) {
        for (const tag of comment?.blockTags ?? []) {
          if (tag.tag !== '@throws' || !tag.typeAnnotation) continue;
          const name = tag.typeAnnotation.replace(/^\{|\}$/g, '').trim();
          tag.content = [{ kind: 'code', text: `\`${name}\`` }, { kind: 'text', text: ' ' }, ...tag.content];
          tag.typeAnnotation = undefined;
        }
      }
    }
  });
}
