// Host names by id, read once per page: migrations and evacuations name hosts by id.
import { all } from './api.js';

export async function hostNames() {
  const names = new Map();
  for (const h of await all('/inventory/hosts')) names.set(h.id, h.name);
  return id => names.get(id) || ('host ' + id);
}
