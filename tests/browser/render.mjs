// Renders the exported Questionnaire in LHC-Forms (lforms) in headless Debian chromium and fills
// it in, as a person would (clicks and typing) or by loading a QuestionnaireResponse. Driven by
// tests/browser/test_lforms.py: node render.mjs JOB.json > RESULT.json
//
// JOB: {page, chromium, userDataDir, questionnaire, screenshot,
//       cases: [{name, mode: "click" | "load", steps: [[linkId, code or integer]...], response}]}
// RESULT: {cases: [{name, shown: [linkId...], notices: {linkId: text}, response, errors,
//                   enabled: [linkId...], values: [linkId...]}], console: [...],
//         spent: {render, answer, read: ms}}
// `shown` is the page; `errors` (LForms.Util.checkValidity), `enabled` (the items lforms' model
// counts as enabled: getUserData without disabled items) and `values` (every item holding a
// value, enabled or not) are what a clinic's software reads, as is `response`.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const browser = await puppeteer.launch({
  executablePath: job.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         `--user-data-dir=${job.userDataDir}`],
});
const messages = [];
try {
  const page = await browser.newPage();
  await page.setViewport({width: 1000, height: 900});
  page.on('console', (m) => messages.push({type: m.type(), text: m.text()}));
  page.on('pageerror', (e) => messages.push({type: 'pageerror', text: String(e.message)}));
  page.on('requestfailed', (r) => messages.push({type: 'requestfailed', text: r.url()}));
  await page.goto(job.page, {waitUntil: 'load'});
  await page.waitForFunction(() => window.LForms && window.LForms.Util && window.LForms.Util.addFormToPage);

  // Wait until lforms has finished reacting to the last answer, on its own state: an answer's
  // change handler queues the run of the form's expressions (the notices' enableWhenExpression)
  // in a timer, and the expression processor holds the promise of the run in flight (a change
  // during a run queues one more). Angular updates the page as that promise settles, so once no
  // run is queued or in flight the page shows the answers so far.
  const settle = () => page.evaluate(async () => {
    const form = document.querySelector('#form wc-lhc-form');
    const processor = form && form.lhcFormData && form.lhcFormData._expressionProcessor;
    if (!processor || !('_currentRunPromise' in processor)) {
      throw new Error('lforms no longer exposes its expression run: update the settle in render.mjs');
    }
    // A zero timer yields to the timers already queued (the run the change handler scheduled).
    const queued = () => new Promise((done) => setTimeout(done, 0));
    await queued();
    while (processor._currentRunPromise) {
      await processor._currentRunPromise.catch(() => undefined);
      await queued();
    }
  });
  const render = async (response) => {
    await page.evaluate(async (q, qr) => {
      const options = qr ? {questionnaireResponse: qr} : {};
      await LForms.Util.addFormToPage(q, 'form', options);
    }, job.questionnaire, response || null);
    await settle();
  };
  const read = async () => page.evaluate(() => {
    const form = document.getElementById('form');
    const shown = [...form.querySelectorAll('[id^="item-"]')].map((e) => e.id.slice(5).split('/')[0]);
    const notices = {};
    for (const e of form.querySelectorAll('[id^="item-notice."]')) {
      notices[e.id.slice(5).split('/')[0]] = e.innerText.trim();
    }
    const response = LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', form);
    const errors = LForms.Util.checkValidity(form);
    const codes = (items, out) => {
      for (const i of items || []) {
        out.push(i.questionCode);
        codes(i.items, out);
      }
      return out;
    };
    const enabled = codes(LForms.Util.getUserData(form, true, false, true).itemsData, []);
    const values = codes(LForms.Util.getUserData(form, true, true, false).itemsData, []);
    return {shown, notices, response, errors, enabled, values};
  });

  const results = [];
  // Where the time goes (ms per phase over all the forms), for the test's summary line.
  const spent = {render: 0, answer: 0, read: 0};
  let clock = performance.now();
  const lap = (phase) => {
    const now = performance.now();
    spent[phase] += now - clock;
    clock = now;
  };
  for (const c of job.cases) {
    if (c.mode === 'load') {
      await render(c.response);
      lap('render');
    } else {
      await render(null);
      lap('render');
      for (const [link, value] of c.steps) {
        if (typeof value === 'number') {
          // An element's id is the linkId, then /1 per level of nesting.
          const field = await page.waitForSelector(`input[id^="${link}/1/"]`, {visible: true, timeout: 5000});
          await field.click();
          await field.type(String(value));
          await page.keyboard.press('Tab');
        } else {
          // click() scrolls the choice into view first.
          const choice = await page.waitForSelector(`[id^="${link}/1/"][id$="|${value}"]`, {timeout: 5000});
          await choice.click();
        }
        await settle();
      }
      lap('answer');
    }
    results.push({name: c.name, ...(await read())});
    if (c.screenshot) {
      await page.screenshot({path: c.screenshot, fullPage: c.fullPage !== false});
    }
    lap('read');
  }
  process.stdout.write(JSON.stringify({cases: results, console: messages, spent}));
} finally {
  await browser.close();
}
