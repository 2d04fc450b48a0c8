/**
 * An error met by the codec walk (without an `errors` encoder) whose `cause` or own fields held
 * something encoded: a copy that structured clone still sends as an error of its class, so the
 * receiver gets an error with its message, stack and (decoded) `cause`, not a plain object.
 * Structured clone keeps an error's name, message, stack and `cause`, and drops other own fields.
 */
export function copyError(
  error: Error,
  cause: { value: unknown } | null,
  fields: Record<string, unknown>,
): Error {
  const copy = new Error(error.message, cause ? { cause: cause.value } : undefined);
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
  const hidden = { writable: true, configurable: true, enumerable: false };
  Object.defineProperty(copy, 'stack', { ...hidden, value: error.stack });
  if (Object.hasOwn(error, 'name')) Object.defineProperty(copy, 'name', { ...hidden, value: error.name });
  return Object.assign(copy, fields);
}
