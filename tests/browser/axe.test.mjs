// axe-core (WCAG 2.0/2.1 A and AA rules) on every kind of page at 1280 and 375 px, reflow at
// 320 px without horizontal scrolling, and a screenshot of each page at each width.

import { test } from "node:test";
import assert from "node:assert/strict";
import { By, Key } from "selenium-webdriver";
import { ADVISOR_TOKEN, axe, screenshot, startForTests } from "./support.mjs";

const env = startForTests();

const pages = [
  ["inici", "/"],
  ["resultats-filtres", "/cerca?q=cooperativa&tema=habitatge-cooperatiu&comarca=Bages&des=2015"],
  ["sense-resultats", "/cerca?q=cooperatives&comarca=Priorat"],
  ["document", "/document/manresa-la-raval-habitatge-cooperatiu?q=cooperativa&pos=1"],
  ["valors-municipi", "/cerca/valors/municipi?filtre=sant"],
  ["mapa", "/mapa?q=cooperativa"],
  ["entrar", "/entrar"],
  ["accessibilitat", "/accessibilitat"],
  ["no-trobat", "/no-existeix"],
  ["error", "/cerca?pagina=0"],
];

async function noHorizontalScroll() {
  return env.driver.executeScript(
    "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1",
  );
}

for (const width of [1280, 375]) {
  test(`axe finds no WCAG A/AA violation at ${width} px`, async () => {
    await env.driver.manage().window().setRect({ width, height: 900 });
    for (const [name, url] of pages) {
      await env.driver.get(env.site.url + url);
      const violations = await axe(env.driver);
      assert.deepEqual(violations, [], `${url} at ${width} px`);
      await screenshot(env.driver, `${name}-${width}`);
    }
  });
}

test("the advisor's pages pass axe too", async () => {
  await env.driver.manage().window().setRect({ width: 1280, height: 900 });
  await env.driver.get(`${env.access.url}/entrar`);
  await env.driver.findElement(By.css("#codi")).sendKeys(ADVISOR_TOKEN, Key.RETURN);
  await env.driver.wait(async () => (await env.driver.findElements(By.css("header form.session"))).length === 1, 10_000);
  for (const url of ["/cerca?q=cooperativa", "/document/nota-zanahoriot-vic", "/sortir"]) {
    await env.driver.get(env.access.url + url);
    assert.deepEqual(await axe(env.driver), [], url);
  }
  await env.driver.get(`${env.access.url}/entrar?tornar=/`);
  await env.driver.get(`${env.access.url}/entrar`);
  // A wrong token shows its error in a form that still passes.
  await env.driver.manage().deleteAllCookies();
  await env.driver.get(`${env.access.url}/entrar`);
  await env.driver.findElement(By.css("#codi")).sendKeys("codi-equivocat", Key.RETURN);
  await env.driver.wait(async () => (await env.driver.findElements(By.css("[role=alert]"))).length === 1, 10_000);
  assert.deepEqual(await axe(env.driver), [], "login with an error");
});

test("every page reflows at 320 px without horizontal scrolling", async () => {
  await env.driver.manage().window().setRect({ width: 320, height: 800 });
  for (const [name, url] of pages) {
    await env.driver.get(env.site.url + url);
    assert.ok(await noHorizontalScroll(), `${url} scrolls sideways at 320 px`);
    if (name === "resultats-filtres" || name === "document") await screenshot(env.driver, `${name}-320`);
  }
});
