import type { Locale } from '../../shared/contract';
import { allows, type Role } from './roles';
import { translateStaff } from './text';

/**
 * HQ's staff pages share one stylesheet, served from HQ itself, so the CSP
 * allows no inline style or script at all.
 */
export const STYLESHEET_PATH = '/assets/hq.css';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const STYLESHEET = `
:root{--ink:#17202a;--muted:#5d6b79;--line:#dde3ea;--bg:#f4f6f9;--card:#fff;--brand:#1f5fbf;--brand-dark:#174a96;--danger:#b3261e;--danger-bg:#fdecea;--warn-bg:#fff4cc;--ok:#1e7d45}
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45}
a{color:var(--brand)}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #8db4ff;outline-offset:2px}
.brand{display:flex;align-items:center;gap:.75rem}
.logo{display:inline-grid;place-items:center;width:2.5rem;height:2.5rem;border-radius:.6rem;background:var(--brand);color:#fff;font-weight:700;font-size:1.3rem}
.brand-name{margin:0;font-weight:700;font-size:1.1rem}
.brand-sub{margin:0;color:var(--muted);font-size:.85rem}
button{font:inherit;cursor:pointer;border-radius:.5rem;border:1px solid transparent;padding:.6rem 1rem}
.button-primary{background:var(--brand);color:#fff;font-weight:600;width:100%;padding:.75rem 1rem}
.button-primary:hover{background:var(--brand-dark)}
.button-quiet{background:transparent;border-color:var(--line);color:var(--ink);padding:.4rem .8rem;font-size:.9rem}
.button-quiet:hover{background:var(--bg)}
/* Login */
body.login{min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;padding:2rem 1rem}
.login-card{width:100%;max-width:25rem;background:var(--card);border:1px solid var(--line);border-radius:1rem;padding:2rem 2rem 1.5rem;box-shadow:0 10px 30px rgba(23,32,42,.08)}
.login-card h1{font-size:1.5rem;margin:1.5rem 0 .25rem}
.login-card .intro{color:var(--muted);margin:0 0 1.25rem;font-size:.95rem}
.field{display:flex;flex-direction:column;gap:.35rem;margin-bottom:1rem}
.field label{font-weight:600;font-size:.9rem}
.field input{font:inherit;padding:.65rem .75rem;border:1px solid #b8c2cd;border-radius:.5rem;background:#fff}
.field input:focus{border-color:var(--brand)}
.alert{margin:0 0 1rem;padding:.7rem .9rem;border-radius:.5rem;background:var(--danger-bg);color:var(--danger);border:1px solid #f3c2bd;font-size:.95rem}
.login-card .lang{margin:1.25rem 0 0;text-align:center;font-size:.9rem}
.login-footer{margin-top:1.5rem;color:var(--muted);font-size:.85rem;text-align:center}
/* Staff pages */
.topbar{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.75rem max(1.5rem,calc((100% - 110rem) / 2 + 1.5rem));background:var(--card);border-bottom:1px solid var(--line)}
.topbar .who{display:flex;align-items:center;gap:1rem;color:var(--muted);font-size:.9rem}
.topbar form{margin:0}
main.page{padding:1.5rem;max-width:110rem;margin:0 auto}
main.page h1{font-size:1.6rem;margin:.25rem 0 1.25rem}
main.page h2{font-size:1.15rem;margin:1.75rem 0 .6rem}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:.75rem}
table{border-collapse:collapse;width:100%}
th,td{padding:.55rem .8rem;text-align:left;font-size:.9rem;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:last-child td{border-bottom:0}
th{background:#eef2f6;font-weight:600;color:#34414e;white-space:nowrap}
tr.frozen td{background:var(--danger-bg)}
tr.revoked td{color:#7b8794;text-decoration:line-through}
td.skewed{background:var(--warn-bg);font-weight:600}
.notice{max-width:40rem;margin:3rem auto;background:var(--card);border:1px solid var(--line);border-radius:1rem;padding:2rem}
/* Top bar links */
.topnav{display:flex;gap:1rem;margin-right:auto;margin-left:2rem}
.topnav a{font-weight:600;text-decoration:none;padding:.35rem .6rem;border-radius:.4rem}
.topnav a:hover{background:var(--bg)}
/* Customer incidents (/incidents) */
.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:1rem;background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem 1.25rem;margin-bottom:1.25rem}
.filters .field{margin:0}
.filters select{font:inherit;padding:.6rem .75rem;border:1px solid #b8c2cd;border-radius:.5rem;background:#fff;min-width:12rem}
.filters .button-primary{width:auto}
.filters .lang-link{margin-left:auto;font-size:.9rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem 1.25rem}
.kpi p{margin:0}
.kpi-label{color:var(--muted);font-size:.9rem;font-weight:600}
.kpi-value{font-size:2rem;font-weight:700;margin:.2rem 0}
.kpi-sub{color:var(--muted);font-size:.85rem}
.panel{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem}
.panel .table-wrap{border:0;border-top:1px solid var(--line);border-radius:0;margin-top:.5rem}
.columns{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,2fr);gap:1.5rem;align-items:start}
@media (max-width:70rem){.columns{grid-template-columns:1fr}}
.chart{margin:0}
.chart svg{display:block;width:100%;height:auto}
.chart-grid{stroke:#e3e8ee;stroke-width:1}
.chart-axis{fill:#5d6b79;font-size:12px}
.chart-value{fill:#17202a;font-size:12px;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.1rem;list-style:none;margin:.6rem 0 0;padding:0;font-size:.85rem;color:#34414e}
.legend li{display:flex;align-items:center;gap:.4rem}
.chart svg.swatch{display:inline-block;width:.8rem;height:.8rem;flex:none}
.chart svg[role=img]{max-height:26rem}
.kind-product_defect{fill:#1f5fbf}.kind-advertised_out_of_stock{fill:#e8871e}.kind-waiting_time{fill:#7b4fc9}
.kind-billing_error{fill:#c2185b}.kind-staff_behaviour{fill:#00897b}.kind-order_delivery{fill:#6d4c41}
.kind-points_error{fill:#f4c20d}.kind-cleanliness{fill:#5e9e2e}.kind-other{fill:#8d99a6}
.score-good{fill:#1e7d45}.score-fair{fill:#e8a317}.score-poor{fill:#b3261e}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.total,tr.totals td,tr.totals th{font-weight:700}
th[scope=row]{background:transparent;font-weight:600;color:var(--ink)}
@media (max-width:40rem){.topbar{flex-direction:column;align-items:flex-start}}
`;

export function loginPage(o: { locale: Locale; next: string; username?: string; error?: string }): string {
  const t = (key: string, params?: Record<string, string | number>) => escapeHtml(translateStaff(o.locale, key, params));
  const other = o.locale === 'fr' ? 'en' : 'fr';
  const nextQuery = o.next === '/fleet' ? '' : `&amp;next=${escapeHtml(encodeURIComponent(o.next))}`;
  return `<!doctype html>
<html lang="${o.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('staff.login.page_title')}</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body class="login">
<main class="login-card" aria-labelledby="login-title">
${brand(o.locale)}
<h1 id="login-title">${t('staff.login.title')}</h1>
<p class="intro">${t('staff.login.intro')}</p>
${o.error ? `<p class="alert" role="alert" id="login-error">${escapeHtml(o.error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${escapeHtml(o.next)}"><input type="hidden" name="lang" value="${o.locale}">
<div class="field"><label for="username">${t('staff.login.username')}</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required${o.username ? ` value="${escapeHtml(o.username)}"` : ' autofocus'}${o.error ? ' aria-describedby="login-error"' : ''}></div>
<div class="field"><label for="password">${t('staff.login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${o.username ? ' autofocus' : ''}></div>
<button type="submit" class="button-primary">${t('staff.login.submit')}</button>
</form>
<p class="lang"><a href="/login?lang=${other}${nextQuery}" hreflang="${other}" lang="${other}">${t('staff.login.other_lang')}</a></p>
</main>
<p class="login-footer">${t('staff.login.footer')}</p>
</body></html>`;
}

function brand(locale: Locale): string {
  const t = (key: string) => escapeHtml(translateStaff(locale, key));
  return `<div class="brand"><span class="logo" aria-hidden="true">F</span><div><p class="brand-name">${t('staff.brand')}</p><p class="brand-sub">${t('staff.brand_sub')}</p></div></div>`;
}

export interface Viewer {
  username: string;
  role: Role;
  csrfToken: string;
}

/** The bar atop every signed-in page: who is signed in, and the way out (a POST with the CSRF token). */
export function staffHeader(locale: Locale, viewer: Viewer): string {
  const t = (key: string, params?: Record<string, string | number>) => escapeHtml(translateStaff(locale, key, params));
  // A link shows only to the roles its page lets in; the page checks again. The console (src/hq/console.ts) lets every role in.
  const lang = locale === 'en' ? '?lang=en' : '';
  const incidents = allows(viewer.role, 'incidents') ? `<a href="/incidents${lang}">${t('staff.nav.incidents')}</a>` : '';
  const nav = `<nav class="topnav" aria-label="${t('staff.nav.label')}"><a href="/console/${lang}">${t('staff.nav.console')}</a>${incidents}</nav>`;
  return `<header class="topbar">${brand(locale)}${nav}<div class="who"><span>${t('staff.header.signed_in_as', {
    username: viewer.username,
    role: translateStaff(locale, `staff.role.${viewer.role}`),
  })}</span><form method="post" action="/logout"><input type="hidden" name="csrf" value="${escapeHtml(viewer.csrfToken)}"><input type="hidden" name="lang" value="${locale}"><button type="submit" class="button-quiet">${t('staff.header.logout')}</button></form></div></header>`;
}

/** The head of a signed-in page: the stylesheet, and the CSRF token for a console's scripts to send back. */
export function staffHead(title: string, viewer: Viewer): string {
  return `<meta name="csrf-token" content="${escapeHtml(viewer.csrfToken)}"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="${STYLESHEET_PATH}">`;
}

export function forbiddenPage(locale: Locale, viewer: Viewer): string {
  const t = (key: string, params?: Record<string, string | number>) => escapeHtml(translateStaff(locale, key, params));
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${staffHead(translateStaff(locale, 'staff.forbidden.title'), viewer)}</head>
<body>${staffHeader(locale, viewer)}
<main class="page"><div class="notice"><h1>${t('staff.forbidden.title')}</h1><p>${t('staff.forbidden.body', { role: translateStaff(locale, `staff.role.${viewer.role}`) })}</p></div></main>
</body></html>`;
}
