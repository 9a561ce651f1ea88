// Real journeys in headless Chromium against `xmess-kb serve` on the real corpus (and on the
// access fixture for the advisor login), with the mouse and with the keyboard only.

import { test } from "node:test";
import assert from "node:assert/strict";
import { By, Key, until } from "selenium-webdriver";
import { ADVISOR_TOKEN, location, screenshot, startForTests } from "./support.mjs";

const env = startForTests();

const $ = (css) => env.driver.findElement(By.css(css));
const $$ = (css) => env.driver.findElements(By.css(css));
const text = async (css) => (await $(css)).getText();

async function clickAndWait(element) {
  const before = await env.driver.getCurrentUrl();
  await element.click();
  await env.driver.wait(async () => (await env.driver.getCurrentUrl()) !== before, 10_000);
}

test("search, page, two themes and a comarca, remove a chip, open a document, go back", async () => {
  await env.driver.get(`${env.site.url}/`);
  await (await $("#q-home")).sendKeys("cooperativa", Key.RETURN);
  await env.driver.wait(until.urlContains("/cerca?q=cooperativa"), 10_000);
  assert.match(await text(".summary"), /^\d+ resultats per «cooperativa»$/);

  // Page 2 and back.
  await clickAndWait(await $(".pagination a[rel=next]"));
  assert.match(await location(env.driver), /pagina=2/);
  assert.equal(await (await $(".pagination [aria-current=page]")).getText(), "2");
  await clickAndWait(await $(".pagination a[rel=prev]"));

  // Two themes and a comarca, each a link that keeps the others.
  const themeLinks = async () => $$("section[aria-labelledby=facet-tema] li:not(.selected) a");
  await clickAndWait((await themeLinks())[0]);
  await clickAndWait((await themeLinks())[0]);
  await clickAndWait((await $$("section[aria-labelledby=facet-comarca] li:not(.selected) a"))[0]);
  let here = await location(env.driver);
  assert.equal((here.match(/tema=/g) || []).length, 2, here);
  assert.match(here, /comarca=/);
  const chips = await $$(".chips a.chip:not(.clear)");
  assert.equal(chips.length, 3);
  await screenshot(env.driver, "journey-filters");

  // Remove the first theme chip: the other theme and the comarca stay.
  await clickAndWait(chips[0]);
  here = await location(env.driver);
  assert.equal((here.match(/tema=/g) || []).length, 1, here);
  assert.match(here, /comarca=/);
  const filtered = here;

  // Open the first result, then go back with the filters kept.
  await clickAndWait(await $(".hit h3 a"));
  assert.match(await location(env.driver), /^\/document\/.+pos=1/);
  assert.match(await text(".trail span"), /^Resultat 1 de \d+$/);
  await env.driver.navigate().back();
  await env.driver.wait(async () => (await location(env.driver)) === filtered, 10_000);
  assert.equal((await $$(".chips a.chip:not(.clear)")).length, 2);
});

test("zero results offer a way out that finds something", async () => {
  await env.driver.get(`${env.site.url}/cerca?q=cooperatives&comarca=Priorat`);
  assert.match(await text(".summary"), /^Cap resultat/);
  const way = await $(".relaxed a");
  assert.match(await way.getText(), /^Sense el filtre Comarca: Priorat/);
  await clickAndWait(way);
  assert.match(await text(".summary"), /^\d+ resultats/);

  await env.driver.get(`${env.site.url}/cerca?q=cooperatiwes+d%27habitatje`);
  const offer = await $(".did-you-mean a");
  assert.equal(await offer.getText(), "«cooperatives d'habitatge»");
});

test("an advisor logs in, sees internal records marked, and logs out", async () => {
  await env.driver.get(`${env.access.url}/cerca?q=zanahoriot`);
  assert.match(await text(".summary"), /^Cap resultat/);
  await clickAndWait(await $("footer a[href='/entrar']"));
  await (await $("#codi")).sendKeys(ADVISOR_TOKEN, Key.RETURN);
  await env.driver.wait(async () => (await $$("header form.session")).length === 1, 10_000);
  await env.driver.get(`${env.access.url}/cerca?q=zanahoriot`);
  assert.match(await text(".summary"), /^2 resultats/);
  assert.equal((await $$(".hit .badge-internal")).length, 2);
  await screenshot(env.driver, "advisor-results");
  await clickAndWait(await $("header form.session button"));
  assert.equal((await $$("header form.session")).length, 0);
  await env.driver.get(`${env.access.url}/cerca?q=zanahoriot`);
  assert.match(await text(".summary"), /^Cap resultat/);
});

/** Presses Tab until `accept(activeElement)` holds; fails after `max` presses. */
async function tabTo(accept, max = 250) {
  for (let i = 0; i < max; i++) {
    await env.driver.actions().sendKeys(Key.TAB).perform();
    const active = await env.driver.switchTo().activeElement();
    if (await accept(active)) return active;
  }
  assert.fail("no such element reachable with Tab");
}

async function hasVisibleFocus(element) {
  return env.driver.executeScript(
    `const s = getComputedStyle(arguments[0]);
     return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";`,
    element,
  );
}

test("keyboard only: skip link, search, a facet, a year range, a document", async () => {
  await env.driver.get(`${env.site.url}/`);
  const skip = await tabTo(async (e) => (await e.getText()) === "Salta al contingut", 1);
  assert.ok(await hasVisibleFocus(skip), "the skip link shows focus");
  assert.ok((await skip.getRect()).x >= 0, "the skip link is on screen when focused");
  await env.driver.actions().sendKeys(Key.ENTER).perform();
  assert.equal(await (await env.driver.switchTo().activeElement()).getAttribute("id"), "contingut");

  const box = await tabTo(async (e) => (await e.getAttribute("id")) === "q-home", 10);
  assert.ok(await hasVisibleFocus(box));
  await env.driver.actions().sendKeys("moneda local", Key.ENTER).perform();
  await env.driver.wait(until.urlContains("q=moneda+local"), 10_000);
  // Focus lands on the result count, which a screen reader then reads.
  const landed = await env.driver.switchTo().activeElement();
  assert.equal(await landed.getAttribute("class"), "summary");

  const facet = await tabTo(async (e) =>
    env.driver.executeScript("return !!arguments[0].closest('.facets') && arguments[0].tagName === 'A'", e));
  assert.ok(await hasVisibleFocus(facet), "facet links show focus");
  await env.driver.actions().sendKeys(Key.ENTER).perform();
  await env.driver.wait(async () => (await $$(".chips a.chip")).length > 0, 10_000);

  await tabTo(async (e) => (await e.getAttribute("id")) === "des");
  await env.driver.actions().sendKeys("2019").perform();
  await tabTo(async (e) => (await e.getAttribute("id")) === "fins", 3);
  await env.driver.actions().sendKeys("2024").perform();
  const apply = await tabTo(async (e) => (await e.getText()) === "Aplica", 3);
  assert.ok(await hasVisibleFocus(apply));
  await env.driver.actions().sendKeys(Key.SPACE).perform();
  await env.driver.wait(until.urlContains("des=2019"), 10_000);
  assert.match(await location(env.driver), /fins=2024/);

  const hit = await tabTo(async (e) =>
    env.driver.executeScript("return !!arguments[0].closest('.hit h3')", e));
  await env.driver.actions().sendKeys(Key.ENTER).perform();
  await env.driver.wait(until.urlContains("/document/"), 10_000);
  assert.ok(hit);
  assert.ok((await text("h1")).length > 0);
});
