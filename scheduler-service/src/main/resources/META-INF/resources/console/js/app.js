// The console's shell: signs in, then shows the page the location's hash names, leaving the previous one cleanly.
import { signIn, signOut } from './auth.js';
import { notice } from './ui.js';
import * as fleet from './pages/fleet.js';
import * as migrations from './pages/migrations.js';
import * as migration from './pages/migration.js';
import * as newMigration from './pages/new-migration.js';
import * as evacuations from './pages/evacuations.js';
import * as evacuation from './pages/evacuation.js';
import * as accuracy from './pages/accuracy.js';

const ROUTES = [
  [/^#\/fleet$/, fleet, 'fleet'],
  [/^#\/migrations$/, migrations, 'migrations'],
  [/^#\/migrations\/([0-9a-f-]{36})$/, migration, 'migrations'],
  [/^#\/new(?:\/(\d+))?$/, newMigration, 'new'],
  [/^#\/evacuations$/, evacuations, 'evacuations'],
  [/^#\/evacuations\/([0-9a-f-]{36})$/, evacuation, 'evacuations'],
  [/^#\/accuracy$/, accuracy, 'accuracy'],
];

let leave = null;

async function show() {
  if (leave) { leave(); leave = null; }
  notice('');
  const hash = location.hash || '#/fleet';
  const route = ROUTES.find(([pattern]) => pattern.test(hash));
  if (!route) { location.hash = '#/fleet'; return; }
  const [pattern, page, nav] = route;
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.dataset.page === nav));
  const view = document.getElementById('view');
  view.replaceChildren();
  try {
    leave = (await page.render(view, ...hash.match(pattern).slice(1))) || null;
  } catch (e) {
    notice(e.message || String(e));
  }
}

async function start() {
  try {
    const who = await signIn();
    document.getElementById('who').textContent = who.name + ' (' + who.roles.join(', ') + ')';
    const out = document.getElementById('sign-out');
    out.hidden = false;
    out.onclick = signOut;
  } catch (e) {
    document.getElementById('view').replaceChildren();
    notice(e.message || String(e));
    return;
  }
  window.addEventListener('hashchange', show);
  show();
}

start();
