// Commit-to-browser latency of a live KPI tile (run by bench/server.sh): Debian's Chromium
// (playwright-core from scripts/browser) shows the default dashboard; 100 orders are POSTed
// to /api/v1/orders one after another, each timed from the POST until the "orders" tile's
// text changes in the page (read by the page itself on every animation frame), against the
// POST alone. Environment: SERVER, TOKEN. Prints p50/p99 and the ratio.
import { createRequire } from "node:module";
const require = createRequire(new URL("../scripts/browser/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const SERVER = process.env.SERVER, TOKEN = process.env.TOKEN;
const TILE = '#dash .widget .tile[data-kpi="orders"] .v';
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"], headless: true });
const post = [], live = [];
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(SERVER + "/");
  await page.fill("#token", TOKEN);
  await page.click("#connect");
  await page.waitForSelector(TILE, { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("live"), null, { timeout: 10000 });
  for (let i = 0; i < 100; i++) {
    const before = await page.locator(TILE).first().textContent();
    const code = `BROWSER-BENCH-${Date.now()}-${i}`;
    const now = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 19) + "+09:00";
    const body = { payload: { orders: [{ shop_no: 1, order_id: code, member_id: "", order_date: now,
      items: [{ order_item_code: code + "-01", variant_code: "BENCH-V", product_name: "bench", quantity: 1, product_price: "1000.00", order_status: "N20" }] }] } };
    const changed = page.waitForFunction((prev) => {
      const t = document.querySelector('#dash .widget .tile[data-kpi="orders"] .v');
      return t && t.textContent !== prev ? Date.now() : false;
    }, before, { polling: "raf", timeout: 5000 }).then((h) => h.jsonValue(), () => null);
    const t0 = Date.now();
    const r = await fetch(SERVER + "/api/v1/orders", { method: "POST", headers: { Authorization: "Bearer " + TOKEN, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (r.status !== 201) throw new Error(`POST /api/v1/orders: ${r.status} ${(await r.text()).slice(0, 300)}`);
    post.push(Date.now() - t0);
    const at = await changed;
    if (at) live.push(at - t0);
    await page.waitForTimeout(50);
  }
} finally {
  await browser.close();
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.round((s.length - 1) * p)] : NaN; };
console.log(`POST alone (baseline): p50 ${pct(post, 0.5)} ms, p99 ${pct(post, 0.99)} ms`);
console.log(`POST to the tile changing in Chromium: ${live.length} of 100 seen, p50 ${pct(live, 0.5)} ms, p99 ${pct(live, 0.99)} ms (x${(pct(live, 0.5) / pct(post, 0.5)).toFixed(2)} of the POST at p50)`);
