import type { ServerResponse } from 'node:http';
import { readBody, type AppRoute, type OrdersDatabase } from './app-server.js';

export interface ShopOrder {
  id: number;
  item: string;
  region: string;
}

/** Where the shop page keeps its orders: the lab's database, or memory in the plain lab. */
export interface ShopStore {
  add(order: { item: string; region: string }): Promise<number>;
  recent(limit: number): Promise<ShopOrder[]>;
}

export const SHOP_PATH = '/shop';
const LISTED = 10;
const MAX_FORM_BYTES = 1_024;

/** The orders table through the app's writer and its own Region's reader. */
export function databaseShopStore(region: string, db: OrdersDatabase, timeoutMs = 1_000): ShopStore {
  return {
    async add({ item }) {
      const [row] = await db.query(db.writer(), 'INSERT INTO orders (source, item, region, created_at_ms) VALUES ($1, $2, $3, $4) RETURNING id::text AS id', ['shop', item, region, Date.now()], timeoutMs);
      return Number(row!.id);
    },
    async recent(limit) {
      const rows = await db.query(db.reader(), 'SELECT id::text AS id, item, region FROM orders ORDER BY id DESC LIMIT $1', [limit], timeoutMs);
      return rows.map((row) => ({ id: Number(row.id), item: String(row.item), region: String(row.region) }));
    },
  };
}

/** The plain lab has no database: each Region keeps its own orders in memory. */
export function memoryShopStore(): ShopStore {
  const orders: ShopOrder[] = [];
  return {
    async add(order) {
      orders.push({ id: orders.length + 1, ...order });
      return orders.length;
    },
    async recent(limit) {
      return orders.slice(-limit).reverse();
    },
  };
}

/**
 * A small real web page for browser journeys: `GET /shop` shows a form and the newest orders,
 * `POST /shop` (a form submission) stores an order and redirects back (303), so a journey
 * writes and reads across a failover. A store that does not answer makes the page a 503.
 */
export function shopRoutes(region: string, store: ShopStore): AppRoute[] {
  return [async (req, res) => {
    if (req.url !== SHOP_PATH) return false;
    try {
      if (req.method === 'POST') {
        const item = new URLSearchParams(await readBody(req, MAX_FORM_BYTES)).get('item')?.trim().slice(0, 80);
        if (!item) return sendPage(res, 400, region, '<p role="alert">Expected an item to order.</p>'), true;
        await store.add({ item, region });
        res.writeHead(303, { location: SHOP_PATH }).end();
        return true;
      }
      if (req.method !== 'GET') return false;
      const orders = await store.recent(LISTED);
      sendPage(res, 200, region, `<ul id="orders">${orders.map((o) => `<li data-id="${o.id}">${escapeHtml(o.item)} <small>(${escapeHtml(o.region)})</small></li>`).join('')}</ul>`);
    } catch (error) {
      sendPage(res, 503, region, `<p role="alert">Orders are unavailable right now: ${escapeHtml((error as Error).message)}</p>`);
    }
    return true;
  }];
}

function sendPage(res: ServerResponse, status: number, region: string, orders: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lab shop</title>
<style>body{font:16px system-ui,sans-serif;margin:2rem auto;max-width:36rem;color:#222}header{display:flex;justify-content:space-between;align-items:baseline}
form{display:flex;gap:.5rem;margin:1rem 0}input{flex:1;padding:.4rem}button{padding:.4rem 1rem}li{padding:.2rem 0}small{color:#666}[role=alert]{color:#a00}</style></head>
<body><header><h1>Lab shop</h1><p>served by <span id="region">${escapeHtml(region)}</span></p></header>
<form method="post" action="${SHOP_PATH}"><label for="item">Item</label><input id="item" name="item" required maxlength="80"><button type="submit">Place order</button></form>
<h2>Recent orders</h2>${orders}</body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
