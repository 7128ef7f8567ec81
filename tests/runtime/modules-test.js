import { assert, assertEqual } from "assert.js";
import { double, greetingLength } from "./lib/math.js";
import greeting from "lib/greeting.txt";
import bytes from "./lib/bytes.bin";
import settings from "./lib/config.json";
import legacy from "./lib/legacy.cjs";
import { env, WorkerEntrypoint, DurableObject, RpcTarget } from "cloudflare:workers";

export const esImports = {
  test() {
    assertEqual(double(21), 42);
    assertEqual(greetingLength, "hello, modules".length);
  },
};

export const textDataJsonModules = {
  test() {
    assertEqual(greeting, "hello, modules");
    assert(bytes instanceof ArrayBuffer, "data modules are ArrayBuffers");
    assertEqual([...new Uint8Array(bytes)].join(","), "1,2,3,255");
    assertEqual(settings.answer, 42);
    assertEqual(settings.list.length, 2);
  },
};

export const commonJsModules = {
  test() {
    assertEqual(legacy.kind, "commonjs");
    assertEqual(legacy.answer, 42);
    assertEqual(legacy.dir, "lib");
  },
};

export const cloudflareWorkersModule = {
  test(ctrl, testEnv) {
    assert(typeof WorkerEntrypoint === "function");
    assert(typeof DurableObject === "function");
    assert(typeof RpcTarget === "function");
    // The module's env is the same object handlers receive.
    assert(env === testEnv, "env from cloudflare:workers is the handler's env");
  },
};

export const bindings = {
  test(ctrl, env) {
    assertEqual(env.GREETING, "hi");
    assert(env.BLOB instanceof ArrayBuffer);
    assertEqual(new Uint8Array(env.BLOB)[1], 0x0b);
    assertEqual(env.SETTINGS.mode, "test");
    assertEqual(env.SETTINGS.n, 3);
    assertEqual(typeof env.PATH_VAR, "string");
    assertEqual(env.UNSET_VAR, null);
  },
};

export const missingModuleRejects = {
  async test() {
    let error;
    try {
      await import("./lib/nope.js");
    } catch (e) {
      error = e;
    }
    assert(error, "importing a missing module must fail");
    assert(String(error.message).includes("lib/nope.js"), error.message);
  },
};
