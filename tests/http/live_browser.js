// tests/http/live_browser.js - drives headless Chromium over the DevTools
// protocol for tests/http/live.t (no puppeteer: node's fetch and, with
// --experimental-websocket, WebSocket).
//
//   node --experimental-websocket live_browser.js CHROMIUM PROFILE_DIR URL
//
// Opens URL, prints "ready" once the page has loaded (and its script had a
// moment to connect), then reads lines on stdin: each is a JavaScript
// expression, evaluated in the page until it is truthy or 10 s pass; the
// last value is printed as one JSON line. Ends at end of input.
'use strict';
const { spawn } = require('child_process');
const readline = require('readline');

const [chrome, profile, url] = process.argv.slice(2);
const proc = spawn(chrome, ['--headless=new', '--no-sandbox', '--disable-gpu',
  '--remote-debugging-port=0', '--user-data-dir=' + profile, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
const sleep = ms => new Promise(r => setTimeout(r, ms));
const fail = msg => { console.log(JSON.stringify({ error: msg })); proc.kill(); process.exit(1); };
setTimeout(() => fail('timed out'), 60000).unref();

let err = '';
const devtools = new Promise(resolve => proc.stderr.on('data', d => {
  err += d;
  const m = /DevTools listening on ws:\/\/([^/]+)\//.exec(err);
  if (m) resolve(m[1]);
}));

(async () => {
  const host = await devtools;
  const target = await (await fetch(`http://${host}/json/new?${url}`, { method: 'PUT' })).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
  let next = 1;
  const waiting = new Map();
  ws.onmessage = m => {
    const msg = JSON.parse(m.data);
    if (waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  };
  const call = (method, params) => new Promise(res => {
    const id = next++;
    waiting.set(id, res);
    ws.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async expr => {
    const r = await call('Runtime.evaluate', { expression: expr, returnByValue: true });
    return r.result && r.result.result ? r.result.result.value : undefined;
  };
  for (let i = 0; i < 100 && await evaluate('document.readyState') !== 'complete'; i++)
    await sleep(100);
  await sleep(1000);
  console.log('ready');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const expr of lines) {
    let v;
    for (let i = 0; i < 100; i++) {
      v = await evaluate(expr);
      if (v) break;
      await sleep(100);
    }
    console.log(JSON.stringify({ value: v === undefined ? null : v }));
  }
  ws.close();
  proc.kill();
  process.exit(0);
})().catch(e => fail(String(e)));
