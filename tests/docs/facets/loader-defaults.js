// Test scaffolding: an env.LOADER for the docs' fragments that fills in what the docs leave to
// the reader, and is otherwise the real binding: "$today" becomes today's date, and a WorkerCode
// without a compatibilityDate (the Observability fragment has none) gets today's date.
export function withDocsDefaults(env) {
  const today = () => new Date().toISOString().slice(0, 10);
  const fill = (code) =>
    code.compatibilityDate === undefined || code.compatibilityDate === "$today"
      ? { ...code, compatibilityDate: today() } : code;
  return {
    ...env,
    LOADER: {
      get: (id, getCode) => env.LOADER.get(id, async () => fill(await getCode())),
      load: (code) => env.LOADER.load(fill(code)),
    },
  };
}
