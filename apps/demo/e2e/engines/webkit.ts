// WebKitGTK through WebKitWebDriver (MiniBrowser inside): plain W3C WebDriver over HTTP, under
// Xvfb since it has no headless mode. A WebDriver session is one profile; it drives one window
// at a time, so each command first switches to its window.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { artifactsDir, ensureInstalled, freePort } from "../support/stack.js";
import { pause, type Engine, type EngineProfile, type EngineWindow, type PageFunction } from "./engine.js";

const DRIVER = "/usr/bin/WebKitWebDriver";
const XVFB = "/usr/bin/Xvfb";
/** The W3C key under which WebDriver returns an element reference. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
/** A new session answers in ~0.2 s; one that has not in 10 s never will (its browser died). */
const SESSION_TIMEOUT_MS = 10_000;

/**
 * Starts Xvfb on a display it picks itself (`-displayfd`) and resolves with ":N". `-noreset`: by
 * default an X server resets when its last client leaves, and a MiniBrowser of the next WebDriver
 * session that connects meanwhile dies with "cannot open display" (its session never answers).
 */
function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn(XVFB, ["-displayfd", "1", "-noreset", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    xvfb.once("error", reject);
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
    xvfb.stdout.once("data", (data: Buffer) => resolve({ display: `:${data.toString().trim()}`, process: xvfb }));
  });
}

function webDriver(base: string) {
  return async function command<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown, timeout = 30_000): Promise<T> {
    const init: RequestInit = { method, headers: { "Content-Type": "application/json" }, signal: AbortSignal.timeout(timeout) };
    if (method === "POST") init.body = JSON.stringify(body ?? {});
    const response = await fetch(`${base}${path}`, init);
    const { value } = (await response.json()) as { value: T & { error?: string; message?: string } };
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value.error} ${value.message ?? ""}`);
    return value;
  };
}

type Command = ReturnType<typeof webDriver>;

function webkitProfile(command: Command, session: string): EngineProfile {
  const at = (path: string) => `/session/${session}${path}`;
  let current = "";
  let initialWindowUsed = false;

  const windowFor = (handle: string): EngineWindow => {
    /** Makes this window the one the session's commands go to. */
    const focus = async () => {
      if (current === handle) return;
      await command("POST", at("/window"), { handle });
      current = handle;
    };
    const evaluate = async <A, R>(fn: PageFunction<A, R>, arg: A): Promise<R> => {
      await focus();
      // The page function's promise, settled into one JSON value the driver can hand back.
      const script = `const arg = arguments[0], done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn.toString()})(arg)).then(
          (value) => done({ value: value === undefined ? null : value }),
          (error) => done({ error: String(error && error.stack || error) }));`;
      const result = await command<{ value?: R; error?: string }>("POST", at("/execute/async"), { script, args: [arg ?? null] });
      if (result.error !== undefined) throw new Error(result.error);
      return result.value as R;
    };
    return {
      goto: async (url) => void (await focus(), await command("POST", at("/url"), { url })),
      reload: async () => void (await focus(), await command("POST", at("/refresh"))),
      back: async () => void (await focus(), await command("POST", at("/back"))),
      async click(selector) {
        await focus();
        const element = await command<Record<string, string>>("POST", at("/element"), { using: "css selector", value: selector });
        await command("POST", at(`/element/${element[ELEMENT]}/click`));
      },
      evaluate,
      async open(url) {
        const before = await command<string[]>("GET", at("/window/handles"));
        await evaluate((href) => void window.open(href), url);
        for (let tries = 0; tries < 100; tries += 1) {
          const opened = (await command<string[]>("GET", at("/window/handles"))).find((candidate) => !before.includes(candidate));
          if (opened) return windowFor(opened);
          await pause(50);
        }
        throw new Error(`window.open(${url}) opened no window`);
      },
      async close() {
        await focus();
        await command("DELETE", at("/window"));
        current = "";
      },
    };
  };

  return {
    async newWindow() {
      if (!initialWindowUsed) {
        initialWindowUsed = true;
        current = await command<string>("GET", at("/window"));
        return windowFor(current);
      }
      // A window, not a tab: a background tab is `hidden`.
      const { handle } = await command<{ handle: string }>("POST", at("/window/new"), { type: "window" });
      return windowFor(handle);
    },
    close: async () => void (await command("DELETE", at(""))),
  };
}

export async function launchWebkitEngine(): Promise<Engine> {
  ensureInstalled(DRIVER, ["webkit2gtk-driver", "xvfb"]);
  ensureInstalled(XVFB, ["xvfb"]);
  const xvfb = await startXvfb();
  const port = await freePort();
  // Its log (and MiniBrowser's) next to the screenshots, for when a session misbehaves.
  const log = openSync(`${artifactsDir}../webkit-driver.log`, "w");
  const driver = spawn(DRIVER, [`--port=${port}`, "--host=127.0.0.1"], { env: { ...process.env, DISPLAY: xvfb.display }, stdio: ["ignore", log, log] });
  closeSync(log);
  const command = webDriver(`http://127.0.0.1:${port}`);
  const stop = () => {
    driver.kill();
    xvfb.process.kill();
  };
  try {
    for (let tries = 0; ; tries += 1) {
      const ready = await command<{ ready: boolean }>("GET", "/status").catch(() => null);
      if (ready?.ready) break;
      if (tries > 100) throw new Error("WebKitWebDriver did not start");
      await pause(50);
    }
  } catch (error) {
    stop();
    throw error;
  }
  // Known once a session is open: the driver states it in the session's capabilities only.
  let version = "";
  return {
    name: "webkit",
    get version() {
      return `WebKitGTK ${version}`;
    },
    async newProfile() {
      const { sessionId, capabilities } = await command<{ sessionId: string; capabilities: { browserVersion: string } }>(
        "POST",
        "/session",
        // A WebDriver script carries no user gesture, and WebKit blocks window.open without one
        // (Chromium's and Firefox's automation let it through): allowed here, or no window opens.
        { capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { args: ["--automation", "--javascript-can-open-windows-automatically=true"] } } } },
        SESSION_TIMEOUT_MS,
      );
      version = capabilities.browserVersion;
      return webkitProfile(command, sessionId);
    },
    close: async () => stop(),
  };
}
