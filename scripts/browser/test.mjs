// Browser tests of the server's page (run by scripts/server_tier.sh): Debian's Chromium,
// driven by playwright-core. Environment: SERVER, TOKEN_A, PSQL (SQL as the superuser),
// OUT (where screenshots go). Prints one line per check; exits 1 if any failed.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const SERVER = process.env.SERVER, TOKEN = process.env.TOKEN_A, OUT = process.env.OUT || "out/browser";
const PSQL = process.env.PSQL.split(" ");
mkdirSync(OUT, { recursive: true });
let failed = 0, checks = 0;
const check = (name, ok, info = "") => { checks++; if (!ok) failed++; console.log((ok ? "ok   " : "FAIL ") + name + (ok ? "" : `: ${info}`)); };
const sql = (q) => execFileSync(PSQL[0], [...PSQL.slice(1), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", q], { encoding: "utf8" }).trim();

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"], headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(SERVER + "/");
  await page.fill("#token", TOKEN);
  await page.click("#connect");
  await page.waitForSelector("#dash .widget", { timeout: 15000 });
  const widgets = await page.locator("#dash .widget").count();
  check("the default dashboard renders its widgets", widgets >= 6, widgets);
  check("no widget shows an error", (await page.locator("#dash .widget .error").count()) === 0, await page.locator("#dash .widget .error").allTextContents());
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("live"), null, { timeout: 10000 });
  const small = await page.evaluate(() => [...document.querySelectorAll("#dash svg text")].map((t) => parseFloat(getComputedStyle(t).fontSize)).filter((s) => s < 11));
  check("chart type is at least 11 px at 1280 px", small.length === 0, small);
  await page.evaluate(() => document.fonts.ready);
  check("the Hangul font loads", await page.evaluate(() => document.fonts.check("14px NanumSquare", "대시보드")));
  await page.screenshot({ path: `${OUT}/dashboard-1280.png`, fullPage: true });

  // An order committed in SQL reaches the tile without a reload.
  const tile = page.locator("#dash .widget").first().locator('.tile[data-kpi="orders"] .v');
  const before = await tile.textContent();
  const fetched = [];
  const onRequest = (r) => { if (r.url().includes("/custom-dashboard/")) fetched.push(r.url()); };
  page.on("request", onRequest);
  const started = Date.now();
  sql(`INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
       SELECT 'BROWSER-1', 'BROWSER-1-01', min(shop_no), now(), (SELECT max(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product), 1, 20000, 9000, 'paid' FROM cafe24.shop`);
  let after = before;
  while (Date.now() - started < 5000 && after === before) { await page.waitForTimeout(50); after = await tile.textContent(); }
  check("the orders tile changes without a reload", after !== before, `${before} -> ${after}`);
  check(`... within a second of the commit (${Date.now() - started} ms)`, Date.now() - started < 1500, Date.now() - started);
  page.off("request", onRequest);
  check("... by fetching only the KPI widgets again", fetched.length > 0 && fetched.every((u) => /[?&]widgets=\d/.test(u)), fetched);

  // Build a dashboard by clicking and dragging, save it, reload, see it.
  await page.click('nav button[data-page="builder"]');
  await page.fill("#b-name", "browser_dash");
  await page.fill("#b-title", "브라우저 대시보드");
  await page.click('#palette button[data-kind="kpi"]');
  await page.click('#palette button[data-kind="bar"]');
  check("two widgets on the canvas", (await page.locator("#canvas .widget").count()) === 2);
  const canvas = await page.locator("#canvas").boundingBox();
  const first = await page.locator("#canvas .widget").nth(1).boundingBox();
  const colW = (canvas.width + 12) / 12;
  await page.mouse.move(first.x + 20, first.y + 20);
  await page.mouse.down();
  await page.mouse.move(first.x + 20 + 6 * colW, first.y + 20, { steps: 8 });
  await page.mouse.up();
  const moved = await page.locator("#canvas .widget").nth(1).evaluate((el) => getComputedStyle(el).gridColumnStart);
  check("dragging moves the widget six columns", moved === "7", moved);
  await page.locator("#canvas .widget").nth(1).click();
  await page.selectOption("#o-by", "shop");
  await page.click("#b-preview");
  await page.waitForFunction(() => document.querySelectorAll("#preview .widget").length > 0 || document.getElementById("b-msg").textContent, null, { timeout: 15000 });
  check("the preview renders both widgets", (await page.locator("#preview .widget").count()) === 2, await page.textContent("#b-msg"));
  check("the preview shows no widget error", (await page.locator("#preview .widget .error").count()) === 0, await page.locator("#preview .widget .error").allTextContents());
  await page.click("#b-save");
  await page.waitForFunction(() => document.getElementById("b-msg").textContent.length > 0, null, { timeout: 10000 });
  check("saved", ["저장했습니다", "Saved"].includes(await page.textContent("#b-msg")), await page.textContent("#b-msg"));
  await page.screenshot({ path: `${OUT}/builder-1280.png`, fullPage: true });
  check("SQL users see the same dashboard", sql("SELECT d.title || ' ' || count(*) FROM cafe24.dashboard d JOIN cafe24.widget w ON w.dashboard = d.name WHERE d.name = 'browser_dash' GROUP BY d.title") === "브라우저 대시보드 2");
  await page.reload();
  await page.waitForSelector("#dash .widget", { timeout: 15000 });
  await page.selectOption("#dash-select", "browser_dash");
  await page.waitForFunction(() => document.querySelectorAll("#dash .widget").length === 2, null, { timeout: 10000 });
  // The dashboard may redraw (live events, refresh) while it is read: poll the attached one.
  let placed = [];
  for (let i = 0; i < 30 && placed[0] !== "7"; i++) {
    placed = await page.evaluate(() => { const el = document.querySelectorAll("#dash .widget")[1]; return el ? [getComputedStyle(el).gridColumnStart, el.getAttribute("style"), el.dataset.title] : []; });
    if (placed[0] !== "7") await page.waitForTimeout(100);
  }
  check("after a reload the widget is where it was dropped", placed[0] === "7", placed);

  // Reports: a download, and the cron picker's next runs.
  await page.click('nav button[data-page="reports"]');
  await page.selectOption("#r-select", "monthly_sales");
  await page.selectOption("#r-format", "pdf");
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 20000 }), page.click("#r-generate")]);
  check("a report downloads as monthly_sales.pdf", download.suggestedFilename() === "monthly_sales.pdf", download.suggestedFilename());
  await download.saveAs(`${OUT}/monthly_sales.pdf`);
  const firstRuns = await page.textContent("#r-next");
  await page.fill("#r-cron", "0 9 * * 1-5");
  await page.waitForFunction((old) => { const t = document.getElementById("r-next").textContent; return t !== old && t.split("·").length === 5; }, firstRuns, { timeout: 5000 });
  const runs = await page.textContent("#r-next");
  check("the cron picker previews the next five runs of what is typed", runs !== firstRuns && runs.split("·").length === 5, runs);
  await page.fill("#r-cron", "0 9 * *");
  await page.waitForFunction(() => document.getElementById("r-msg").textContent.includes("400"), null, { timeout: 5000 });
  check("a bad cron expression is explained", (await page.textContent("#r-msg")).includes("5 fields"), await page.textContent("#r-msg"));
  await page.fill("#r-cron", "0 9 * * 1-5");
  await page.waitForFunction(() => document.getElementById("r-msg").textContent === "", null, { timeout: 5000 });
  await page.screenshot({ path: `${OUT}/reports-1280.png`, fullPage: true });

  // English labels, and the page at phone width.
  await page.click("#lang");
  check("English labels", (await page.textContent('nav button[data-page="dashboards"]')) === "Dashboards");
  await page.click('nav button[data-page="dashboards"]');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.selectOption("#dash-select", "merchant_overview");
  await page.waitForFunction(() => document.querySelectorAll("#dash .widget").length >= 6, null, { timeout: 10000 });
  await page.waitForTimeout(300);
  const spans = await page.evaluate(() => [...document.querySelectorAll("#dash .widget")].map((el) => Math.round(el.getBoundingClientRect().width)));
  check("at 390 px every widget spans the page", spans.every((w) => w >= 330), spans);
  const small390 = await page.evaluate(() => [...document.querySelectorAll("#dash svg text")].map((t) => parseFloat(getComputedStyle(t).fontSize)).filter((s) => s < 11));
  check("chart type is at least 11 px at 390 px", small390.length === 0, small390);
  await page.screenshot({ path: `${OUT}/dashboard-390.png`, fullPage: true });
  check("the forecast widget shades its interval", (await page.locator("#dash .widget svg polygon").count()) >= 1);
  check("no script errors", errors.length === 0, errors);

  // The engine's own page (render_dashboard 'html', as exports and scheduled jobs write it):
  // type in its charts, as drawn (font size × the SVG's scale), at both widths.
  const own = await context.newPage();
  const html = Buffer.from(sql("SELECT encode(cafe24.render_dashboard('merchant_overview', 'html'), 'base64')"), "base64").toString("utf8");
  for (const width of [1280, 390]) {
    await own.setViewportSize({ width, height: 900 });
    await own.setContent(html);
    const drawn = await own.evaluate(() => [...document.querySelectorAll(".widget svg[viewBox]")]
      .filter((s) => s.getBoundingClientRect().width > 0 && s.querySelector("text"))
      .flatMap((s) => { const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width; return [...s.querySelectorAll("text")].map((t) => parseFloat(t.getAttribute("font-size")) * k); }));
    const tiny = drawn.filter((px) => px < 11).map((px) => px.toFixed(1));
    check(`render_dashboard html: chart type is at least 11 px at ${width} px`, drawn.length > 0 && tiny.length === 0, tiny.length ? tiny : "no chart text");
    await own.screenshot({ path: `${OUT}/render_dashboard-${width}.png`, fullPage: true });
  }
  check("render_dashboard html shades the forecast band", (await own.locator('.widget[data-kind="forecast"] svg polygon').count()) >= 1);
} finally {
  await browser.close();
  sql("DELETE FROM cafe24.order_line WHERE order_id = 'BROWSER-1'");
}
console.log(`${checks - failed} of ${checks} browser checks passed`);
process.exit(failed ? 1 : 0);
