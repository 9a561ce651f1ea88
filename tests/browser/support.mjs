// Shared helpers of the browser tests: a real `xmess-kb serve` on loopback, a headless
// Chromium driven through ChromeDriver, axe-core injected into pages, screenshots.

import { after, before } from "node:test";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Builder } from "selenium-webdriver";
import chrome from "selenium-webdriver/chrome.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..", "..");
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
export const binary = process.env.XMESS_KB_BIN || path.join(targetDir, "debug", "xmess-kb");
export const shotsDir = path.join(targetDir, "browser-screenshots");
export const ADVISOR_TOKEN = "codi-de-prova-del-navegador-2026";

/** Builds an index of `corpus` and serves it; resolves to { url, stop }. */
export async function startServer(corpus) {
  const index = path.join(mkdtempSync(path.join(tmpdir(), "xmess-browser-")), "index");
  execFileSync(binary, ["index", "--corpus", corpus, "--index", index], { stdio: "ignore" });
  const child = spawn(binary, ["serve", "--corpus", corpus, "--index", index, "--addr", "127.0.0.1:0"], {
    env: { ...process.env, RUST_LOG: "warn", XMESS_KB_ADVISOR_TOKEN: ADVISOR_TOKEN },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/(127\.0\.0\.1:\d+)\//);
      if (m) resolve(`http://${m[1]}`);
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return {
    url,
    stop: () => new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); }),
  };
}

/** A fresh headless Chromium at the given window size. */
export async function newDriver(width = 1280, height = 900) {
  const options = new chrome.Options()
    .setChromeBinaryPath("/usr/bin/chromium")
    .addArguments(
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage", `--window-size=${width},${height}`,
      `--user-data-dir=${mkdtempSync(path.join(tmpdir(), "xmess-chromium-"))}`,
    );
  const service = new chrome.ServiceBuilder("/usr/bin/chromedriver");
  return new Builder().forBrowser("chrome").setChromeOptions(options).setChromeService(service).build();
}

const axeSource = readFileSync(path.join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** axe-core on the current page, WCAG 2.0/2.1 A and AA rules only. */
export async function axe(driver) {
  await driver.executeScript(axeSource);
  const result = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
      .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }))))
      .catch((e) => done([{ id: "axe-error", help: String(e), nodes: [] }]));
  `);
  return result;
}

export async function screenshot(driver, name) {
  mkdirSync(shotsDir, { recursive: true });
  const png = await driver.takeScreenshot();
  writeFileSync(path.join(shotsDir, `${name}.png`), png, "base64");
}

/** Pathname + search of the current page. */
export async function location(driver) {
  const u = new URL(await driver.getCurrentUrl());
  return decodeURIComponent(u.pathname + u.search);
}

/**
 * Starts the two servers every test file uses (real corpus; access fixture) and one browser
 * before the calling file's tests, and stops them after. The object returned is filled in by
 * the `before` hook: read `env.site`, `env.access`, `env.driver` inside tests.
 */
export function startForTests() {
  const env = {};
  before(async () => {
    Object.assign(env, await startAll());
  });
  after(async () => {
    await env.stop?.();
  });
  return env;
}

async function startAll() {
  const site = await startServer(path.join(root, "corpus"));
  const access = await startServer(path.join(root, "tests", "fixtures", "access", "corpus"));
  const driver = await newDriver(1280, 900);
  return {
    site,
    access,
    driver,
    stop: async () => {
      await driver.quit();
      await site.stop();
      await access.stop();
    },
  };
}
