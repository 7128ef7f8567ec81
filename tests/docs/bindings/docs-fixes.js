// Two slips in the docs' examples that the real Worker Loader (kiln's and workerd's alike) rejects,
// mended the way a reader would, so that the rest of each example runs as written:
// - compatibilityDate "$today" (the docs site's placeholder for today's date) or none at all:
//   load()/get() require a real date; this fills in today's.
// - a module that extends WorkerEntrypoint without importing it (the chat room agent): it is not a
//   global, so this adds `import { WorkerEntrypoint } from "cloudflare:workers";`.
// Everything else in the WorkerCode (env, globalOutbound, modules) reaches the real binding as is.
// The testers also run each example without this, to pin the failure down.
function today() {
  return new Date().toISOString().slice(0, 10);
}

function mend(workerCode, { date, imports }) {
  const mended = { ...workerCode };
  if (date && (mended.compatibilityDate === undefined || mended.compatibilityDate === "$today")) {
    mended.compatibilityDate = today();
  }
  if (imports && mended.modules) {
    mended.modules = { ...mended.modules };
    for (const [name, source] of Object.entries(mended.modules)) {
      if (typeof source === "string" && /extends WorkerEntrypoint\b/.test(source) &&
          !/import\s*\{[^}]*\bWorkerEntrypoint\b[^}]*\}\s*from\s*["']cloudflare:workers["']/.test(source)) {
        mended.modules[name] = `import { WorkerEntrypoint } from "cloudflare:workers";\n${source}`;
      }
    }
  }
  return mended;
}

// `request`'s ?raw=1 leaves both slips in (the real binding judges them); ?raw=date leaves the
// date alone and mends only the import, ?raw=imports the other way round. A raw get() runs under
// its own id ("raw-MODE:" + id), so that it never shares a cached worker with a mended one.
export function withDocsFixes(env, request) {
  const raw = new URL(request.url).searchParams.get("raw");
  const what = { date: raw === null || raw === "imports", imports: raw === null || raw === "date" };
  const prefix = raw === null ? "" : `raw-${raw}:`;
  return {
    ...env,
    LOADER: {
      load: (workerCode) => env.LOADER.load(mend(workerCode, what)),
      get: (id, getCode) => env.LOADER.get(prefix + id, async () => mend(await getCode(), what)),
    },
  };
}
