#!/usr/bin/env node
/* tests/browser/a11y.js - meldung's pages in a real browser, as TAP.
 *
 * Headless Chromium (Debian's /usr/bin/chromium, driven by puppeteer-core;
 * nothing is downloaded) loads each page type at 1280 and 390 px wide, in
 * light and dark mode (prefers-color-scheme), runs axe-core in it and fails
 * on any violation of impact "serious" or "critical"; lesser ones are
 * listed as comments. With --live it then opens the home page, runs a
 * command that ingests an article, and checks that the live ticker
 * (static/live.js) announces it without a reload.
 *
 *   node tests/browser/a11y.js [--chromium PATH] [--live 'JSON ARGV'] [--cookie NAME=VALUE] URL [NAME=PATH ...]
 *
 * --cookie sets a session cookie for the pages under /redaktion/ (editors).
 *
 * A page must answer 200, or the status that is its NAME ("404=/nichts").
 * Without NAME=PATH pairs it checks the home page, the search page, the
 * status page and a 404. Only requests to URL's host are let through, so
 * a page never waits on the network. tests/http/browser.t starts the
 * server and runs it (make check). */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const WIDTHS = [1280, 390];
const SCHEMES = ['light', 'dark'];
const FAIL_IMPACTS = ['serious', 'critical'];
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];

let n = 0;
let failed = 0;
function ok(cond, name) {
    n++;
    if (!cond) failed++;
    console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
    return cond;
}
function diag(text) {
    for (const line of String(text).split('\n')) console.log(`# ${line}`);
}
function bail(why) {
    console.log(`Bail out! ${why}`);
    process.exit(255);
}

function parseArgs(argv) {
    const opt = { chromium: process.env.CHROMIUM || '/usr/bin/chromium', live: null, pages: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--chromium') opt.chromium = argv[++i];
        else if (a === '--live') opt.live = JSON.parse(argv[++i]);
        else if (a === '--cookie') opt.cookie = argv[++i]; /* editors: NAME=VALUE for /redaktion */
        else if (!opt.base) opt.base = a.replace(/\/+$/, '');
        else {
            const eq = a.indexOf('=');
            if (eq < 1) bail(`page argument "${a}" is not NAME=PATH`);
            opt.pages.push({ name: a.slice(0, eq), path: a.slice(eq + 1) });
        }
    }
    if (!opt.base) bail('usage: a11y.js [--chromium PATH] [--live JSON] [--cookie NAME=VALUE] URL [NAME=PATH ...]');
    if (!opt.pages.length) {
        opt.pages = [
            { name: 'home', path: '/' },
            { name: 'search', path: '/suche?q=Genf' },
            { name: 'status', path: '/status' },
            { name: '404', path: '/gibt-es-nicht' },
        ];
    }
    return opt;
}

/* One axe node, short: its selector and the first line of axe's summary. */
function nodeLine(node) {
    const summary = (node.failureSummary || '').split('\n').slice(1, 2).join(' ').trim();
    return `  ${node.target.join(' ')}${summary ? ': ' + summary : ''}`;
}

async function newPage(browser, base, cookie) {
    const page = await browser.newPage();
    if (cookie) { /* editors: a session for the pages under /redaktion (Secure: 127.0.0.1 counts as secure) */
        const eq = cookie.indexOf('=');
        await page.setCookie({ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: `${base}/redaktion/` });
    }
    /* axe is injected as a script; the site's Content-Security-Policy
     * (rightly) forbids that, so it is bypassed for the test only. */
    await page.setBypassCSP(true);
    await page.setRequestInterception(true);
    const host = new URL(base).host;
    page.on('request', (req) => {
        const u = req.url();
        if (u.startsWith('data:') || new URL(u).host === host) req.continue();
        else req.abort('blockedbyclient');
    });
    return page;
}

/* The harness itself: on a page made to be wrong, axe must report what
 * the suite fails on, or a green run would mean nothing. */
const BAD_PAGE = '<!DOCTYPE html><html><head><title>x</title></head><body>' +
    '<p style="color:#999;background:#aaa">kaum lesbar</p><img src="/x.png"></body></html>';

async function checkHarness(page, axeSource) {
    await page.setContent(BAD_PAGE);
    await page.evaluate(axeSource);
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const found = res.violations.filter((v) => FAIL_IMPACTS.includes(v.impact)).map((v) => v.id).sort();
    ok(['color-contrast', 'html-has-lang', 'image-alt'].every((id) => found.includes(id)),
        'harness: axe finds the faults of a page made to be wrong') || diag(`found: ${found}`);
}

async function checkPages(browser, opt, axeSource, tally) {
    const page = await newPage(browser, opt.base, opt.cookie);
    await checkHarness(page, axeSource);
    for (const p of opt.pages) {
        for (const width of WIDTHS) {
            await page.setViewport({ width, height: width > 600 ? 900 : 844 });
            for (const scheme of SCHEMES) {
                await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
                const label = `${p.name} (${p.path}) ${width}px ${scheme}`;
                let res;
                try {
                    const r = await page.goto(opt.base + p.path, { waitUntil: 'load', timeout: 15000 });
                    const want = /^\d{3}$/.test(p.name) ? Number(p.name) : 200;
                    if (!ok(r && r.status() === want, `${label}: answers ${want}`)) {
                        diag(`status ${r ? r.status() : 'none'}`);
                    }
                    if (p.path.startsWith('/redaktion/')) { /* editors: the session's page, not the login */
                        ok(page.url() === opt.base + p.path, `${label}: not sent to the login`) ||
                            diag(`at ${page.url()}`);
                    }
                    const dark = await page.evaluate(
                        () => matchMedia('(prefers-color-scheme: dark)').matches);
                    ok(dark === (scheme === 'dark'), `${label}: the page sees ${scheme} mode`);
                    await page.evaluate(axeSource);
                    res = await page.evaluate(() => window.axe.run(document, {
                        resultTypes: ['violations', 'incomplete'],
                    }));
                } catch (e) {
                    ok(false, `${label}: loads and axe runs`);
                    diag(e.stack || e);
                    continue;
                }
                /* Parts of the page drawn over each other hide text (axe
                 * can then only say "background could not be determined"). */
                const overlaps = await page.evaluate(() => {
                    const parts = [...document.querySelectorAll(
                        'body > header, body > footer, main > *, main > * > section')]
                        .filter((e) => !e.classList.contains('visually-hidden'))
                        .map((e) => [e, e.getBoundingClientRect()])
                        .filter(([, r]) => r.width > 1 && r.height > 1);
                    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                        (e.className ? '.' + String(e.className).split(' ').join('.') : '');
                    const out = [];
                    for (let i = 0; i < parts.length; i++) {
                        for (let j = i + 1; j < parts.length; j++) {
                            const [a, ra] = parts[i], [b, rb] = parts[j];
                            if (a.contains(b) || b.contains(a)) continue;
                            const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
                            const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
                            if (w > 1 && h > 1) out.push(`${name(a)} and ${name(b)}`);
                        }
                    }
                    return out;
                });
                ok(overlaps.length === 0, `${label}: no part of the page overlaps another`) ||
                    diag(overlaps.join('\n'));
                /* Reflow (WCAG 1.4.10): nothing wider than the window. */
                const wide = await page.evaluate(() => {
                    const w = document.documentElement.clientWidth;
                    return [...document.querySelectorAll('body *')]
                        .filter((e) => e.getBoundingClientRect().right > w + 1 &&
                            !e.closest('.visually-hidden, .skip, .table-scroll'))
                        .slice(0, 5).map((e) => e.outerHTML.slice(0, 120));
                });
                ok(wide.length === 0, `${label}: no sideways scrolling`) || diag(wide.join('\n'));
                const bad = res.violations.filter((v) => FAIL_IMPACTS.includes(v.impact));
                ok(bad.length === 0, `${label}: no serious or critical axe violation`);
                for (const v of res.violations) {
                    const key = `${p.name} ${v.impact}`;
                    tally[key] = (tally[key] || new Set()).add(v.id);
                    const lines = [`${v.impact}: ${v.id} (${v.nodes.length}): ${v.help}`];
                    for (const node of v.nodes.slice(0, 5)) lines.push(nodeLine(node));
                    diag(lines.join('\n'));
                }
                /* What axe could not decide (e.g. contrast over an image). */
                for (const v of res.incomplete.filter((i) => FAIL_IMPACTS.includes(i.impact))) {
                    const key = `${p.name} review`;
                    tally[key] = (tally[key] || new Set()).add(v.id);
                }
            }
        }
    }
    await page.close();
}

/* The live ticker: an article ingested while the home page is open is
 * announced by the banner live.js puts at the top of <main>. */
async function checkLive(browser, opt, axeSource) {
    const page = await newPage(browser, opt.base);
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(opt.base + '/', { waitUntil: 'load', timeout: 15000 });
    ok(await page.$('.live-banner') === null, 'live: no banner before anything arrives');
    /* The script has opened its stream once the server has answered it. */
    await page.waitForFunction(() => performance.getEntriesByType('resource')
        .some((e) => e.name.includes('/api/v1/stream')), { timeout: 10000 }).catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    const run = spawnSync(opt.live[0], opt.live.slice(1), { encoding: 'utf8' });
    if (!ok(run.status === 0, 'live: an article is ingested while the page is open')) {
        diag(`${run.stdout}${run.stderr}${run.error || ''}`);
    }
    let text = null;
    try {
        await page.waitForSelector('.live-banner a', { timeout: 10000 });
        text = await page.$eval('.live-banner', (b) => b.textContent);
    } catch (e) {
        diag(e.message);
    }
    ok(text === '1 neue Meldung \u2013 jetzt anzeigen', 'live: the ticker announces it') ||
        diag(`banner: ${text}`);
    const role = await page.$eval('.live-banner', (b) => b.getAttribute('role')).catch(() => null);
    ok(role === 'status', 'live: screen readers hear it (role=status)');
    /* The banner is part of the page now: axe once more, in both modes. */
    for (const scheme of SCHEMES) {
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
        await page.evaluate(axeSource);
        const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        const bad = res.violations.filter((v) => FAIL_IMPACTS.includes(v.impact));
        ok(bad.length === 0, `live: home with the banner, ${scheme}: no serious or critical axe violation`) ||
            diag(bad.map((v) => `${v.impact}: ${v.id}: ${v.help}\n${v.nodes.map(nodeLine).join('\n')}`).join('\n'));
    }
    await page.close();
}

async function main() {
    const opt = parseArgs(process.argv.slice(2));
    let puppeteer;
    try {
        puppeteer = require('puppeteer-core');
    } catch (e) {
        bail('puppeteer-core is not installed (scripts/deps.sh runs npm ci --prefix tests/browser)');
    }
    const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'meldung-chromium-'));
    const args = [
        '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
    ];
    /* Chromium's sandbox cannot start as root (CI containers). */
    if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
    const launch = () => puppeteer.launch({
        executablePath: opt.chromium, headless: true, userDataDir: profile, args,
    });
    let browser;
    try {
        browser = await launch();
    } catch (e) {
        /* Where user namespaces are off (some CI hosts) the sandbox cannot
         * start either; the pages loaded are the test server's own. */
        if (!args.includes('--no-sandbox')) {
            diag(`Chromium did not start (${e.message.split('\n')[0]}); again with --no-sandbox`);
            args.push('--no-sandbox');
            browser = await launch().catch((e2) => { e = e2; return null; });
        }
        if (!browser) {
            fs.rmSync(profile, { recursive: true, force: true });
            bail(`Chromium (${opt.chromium}) does not start: ${e.message.replace(/\s+/g, ' ')}`);
        }
    }
    diag(`${await browser.version()}, puppeteer-core ${require('puppeteer-core/package.json').version}, ` +
        `axe-core ${require('axe-core/package.json').version}`);
    const tally = {};
    try {
        await checkPages(browser, opt, axeSource, tally);
        if (opt.live) await checkLive(browser, opt, axeSource);
    } catch (e) {
        ok(false, 'the browser run ends normally');
        diag(e.stack || e);
    } finally {
        await browser.close().catch(() => {});
        fs.rmSync(profile, { recursive: true, force: true });
    }
    /* Per page type: the rules violated, by impact (for the report). */
    for (const p of opt.pages) {
        const parts = [...IMPACTS, 'review'].map((i) => `${i} ${tally[`${p.name} ${i}`] ?
            [...tally[`${p.name} ${i}`]].join(',') : '-'}`);
        diag(`axe ${p.name}: ${parts.join('; ')}`);
    }
    console.log(`1..${n}`);
    process.exit(failed ? 1 : 0);
}

main();
