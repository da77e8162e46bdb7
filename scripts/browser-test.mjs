// Browser test of the pages: headless Chromium (Debian's /usr/bin/chromium) driven by puppeteer-core.
// In each language (Slovenian, then English) a new farm registers and asks to join a category, the
// officer admits it and creates a round, the farm bids from a 360-pixel phone and keeps the receipt,
// the administrator moves the simulated clock past the deadline, the officer opens, evaluates and
// awards, and the farm sees its result. Every step asserts what a person would see and saves a
// screenshot. Usage: node browser-test.mjs BASE_URL SCREENSHOT_DIR (scripts/browser-test.sh runs it).
import puppeteer from 'puppeteer-core';
import { mkdirSync } from 'node:fs';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const shots = process.argv[3] ?? 'build/browser-test/screenshots';
const password = 'kranj-demo-2026';
mkdirSync(shots, { recursive: true });

const text = {
  sl: {
    applied: 'Prijava za sodelovanje je poslana.', decided: 'Odločitev je zapisana.',
    dispatched: 'Povabila so poslana', received: 'Ponudba je prejeta.', opened: 'Ponudbe so odprte.',
    evaluated: 'Ponudbe so ocenjene.', standstill: 'Mirovalni rok poteče', admit: 'Sprejmi', rank: 'Mesto',
    open: 'Odpri ponudbe', evaluate: 'Oceni ponudbe', award: 'Odloči o oddaji', intact: 'Revizijska sled je nespremenjena',
  },
  en: {
    applied: 'Request to participate sent.', decided: 'Decision recorded.', dispatched: 'Invitations sent',
    received: 'Bid received.', opened: 'Bids opened.', evaluated: 'Bids evaluated.', standstill: 'Standstill ends',
    admit: 'Admit', rank: 'Rank', open: 'Open the bids', evaluate: 'Evaluate', award: 'Decide the award',
    intact: 'The audit log is intact',
  },
};

let failures = 0;
function check(condition, what) {
  if (condition) {
    console.log(`ok   ${what}`);
  } else {
    failures += 1;
    console.log(`FAIL ${what}`);
  }
}

async function bodyText(page) {
  return page.evaluate(() => document.body.innerText);
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function signIn(page, lang, username) {
  await page.goto(`${base}/lang?to=${lang}&back=/login`, { waitUntil: 'load' });
  // Keyboard only: the username field, Tab to the password, Enter submits.
  await page.focus('#username');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

async function clickButtonWithText(page, label) {
  const buttons = await page.$$('button');
  for (const b of buttons) {
    const t = await b.evaluate((e) => e.textContent.trim());
    if (t === label) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), b.click()]);
      return true;
    }
  }
  return false;
}

async function newContext(browser, width) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width, height: 800 });
  page.on('console', (m) => console.log(`  console: ${m.text()}`));
  return { context, page };
}

async function pass(browser, lang, n) {
  const t = text[lang];
  // Fixed names: every run starts from a fresh demo store, so they never collide.
  const stamp = `410000${n}`;
  const username = `farm-${lang}-${stamp}@example.si`;
  const farmName = `Kmetija Test ${lang.toUpperCase()} ${stamp}`;

  // The farmer registers on a phone and asks to join a category.
  const farmer = await newContext(browser, 360);
  let page = farmer.page;
  await page.goto(`${base}/lang?to=${lang}&back=/register`, { waitUntil: 'load' });
  await page.type('#name', farmName);
  await page.type('#tax_number', `9${stamp}${n}`);
  await page.type('#address', 'Zgornja Bela 8, Preddvor');
  await page.type('#email', username);
  await page.type('#dp_name', 'Dvorišče');
  await page.type('#dp_lat', '46,2990');
  await page.type('#dp_lon', '14,4196');
  await page.type('#username', username);
  await page.type('#password', 'a long farm password');
  await shot(page, `${lang}-01-register`);
  await submit(page, 'form[action="/register"] button[type=submit]');
  check((await bodyText(page)).includes(farmName), `${lang}: the registered farm sees its dashboard`);
  const category = await page.$eval('#category', (s) => s.value);
  await page.click('#confirm');
  await submit(page, 'form[action="/farmer/apply"] button[type=submit]');
  check((await bodyText(page)).includes(t.applied), `${lang}: request to participate sent`);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  check(scrollWidth <= 360, `${lang}: the farmer's page fits a 360-pixel phone (${scrollWidth}px)`);
  await shot(page, `${lang}-02-applied`);

  // The officer admits it and creates a round in that category.
  const officer = await newContext(browser, 1280);
  const op = officer.page;
  await signIn(op, lang, 'mojca.novak');
  await op.goto(`${base}/officer/admissions?dps=1`, { waitUntil: 'load' });
  check((await bodyText(op)).includes(farmName), `${lang}: the officer sees the request`);
  const cards = await op.$$('article.card');
  let admitted = false;
  for (const card of cards) {
    if ((await card.evaluate((e) => e.innerText)).includes(farmName)) {
      const reason = await card.$('textarea');
      await reason.type('ESPD OK');
      const buttons = await card.$$('button[name=admit][value="1"]');
      await Promise.all([op.waitForNavigation({ waitUntil: 'load' }), buttons[0].click()]);
      admitted = true;
      break;
    }
  }
  check(admitted && (await bodyText(op)).includes(t.decided), `${lang}: the officer admits the farm`);
  await shot(op, `${lang}-03-admitted`);
  await op.goto(`${base}/officer/rounds/new?dps=1`, { waitUntil: 'load' });
  await op.select('#category', category);
  await op.type('#title', `Browser test ${lang} ${stamp}`);
  const product = await op.$eval('#lot1_product', (s) => s.options[1].value);
  await op.select('#lot1_product', product);
  const firstPoint = await op.$eval('fieldset .grid input', (i) => i.id);
  await op.type(`#${firstPoint}`, '120');
  await shot(op, `${lang}-04-new-round`);
  await submit(op, 'form[action="/officer/rounds"] button[type=submit]');
  check((await bodyText(op)).includes(t.dispatched), `${lang}: the round is created and invitations are sent`);
  const roundPath = new URL(op.url()).pathname;
  const roundId = roundPath.split('/').pop();

  // The farmer bids on the phone and keeps the receipt.
  page = farmer.page;
  await page.goto(`${base}/farmer/rounds/${roundId}`, { waitUntil: 'load' });
  const priceField = await page.$eval('input[id$="_price"]', (i) => i.id);
  const quantityField = priceField.replace('_price', '_quantity');
  await page.type(`#${priceField}`, '1,85');
  await page.$eval(`#${quantityField}`, (i) => { i.value = ''; });
  await page.type(`#${quantityField}`, '120');
  await shot(page, `${lang}-05-bid`);
  await submit(page, `form[action="/farmer/rounds/${roundId}/bid"] button[type=submit]`);
  const receipt = await bodyText(page);
  check(receipt.includes(t.received), `${lang}: the bid is received`);
  check(/[0-9a-f]{64}/.test(receipt), `${lang}: the receipt shows the SHA-256 digest`);
  await shot(page, `${lang}-06-receipt`);

  // The administrator moves the simulated clock past the deadline.
  const admin = await newContext(browser, 1280);
  await signIn(admin.page, lang, 'admin');
  await admin.page.goto(`${base}/admin`, { waitUntil: 'load' });
  await admin.page.$eval('#hours', (i) => { i.value = '400'; });
  await submit(admin.page, 'form[action="/admin/clock"] button[type=submit]');
  await shot(admin.page, `${lang}-07-clock`);

  // The officer opens, evaluates and awards.
  await op.goto(`${base}${roundPath}`, { waitUntil: 'load' });
  check(await clickButtonWithText(op, t.open) && (await bodyText(op)).includes(t.opened), `${lang}: bids opened`);
  check(await clickButtonWithText(op, t.evaluate) && (await bodyText(op)).includes(t.evaluated), `${lang}: evaluated`);
  await op.goto(`${base}${roundPath}/evaluation`, { waitUntil: 'load' });
  check((await bodyText(op)).includes(farmName), `${lang}: the evaluation table lists the farm`);
  await shot(op, `${lang}-08-evaluation`);
  check(await clickButtonWithText(op, t.award), `${lang}: award decided`);
  const award = await bodyText(op);
  check(award.includes(t.standstill) && award.includes(farmName), `${lang}: the award shows the standstill and the farm`);
  await shot(op, `${lang}-09-award`);

  // The farmer sees its result; the auditor sees the verified log.
  await page.goto(`${base}/farmer/rounds/${roundId}/results`, { waitUntil: 'load' });
  const results = await bodyText(page);
  check(results.includes(t.rank) && results.includes(farmName), `${lang}: the farmer sees its rank`);
  await shot(page, `${lang}-10-results`);
  const auditor = await newContext(browser, 1280);
  await signIn(auditor.page, lang, 'revizor');
  check((await bodyText(auditor.page)).includes(t.intact), `${lang}: the auditor sees the verified audit log`);
  await shot(auditor.page, `${lang}-11-audit`);
  for (const c of [farmer, officer, admin, auditor]) await c.context.close();
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  await pass(browser, 'sl', 1);
  await pass(browser, 'en', 2);
} catch (e) {
  failures += 1;
  console.log(`FAIL unexpected: ${e.stack ?? e}`);
} finally {
  await browser.close();
}
console.log(failures === 0 ? 'browser test passed' : `browser test: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
