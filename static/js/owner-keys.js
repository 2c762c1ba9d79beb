// The owner keys of the models this browser saved or imported, in localStorage: a key is the only way to delete a
// model, and a hosted server lists only the models whose keys the page sends (X-Owner-Keys). The server answers
// with a key once, at the save; losing it leaves the model readable by its link but deletable by nobody.

const STORAGE_KEY = 'backprop-lab.owner-keys';
const MOST_SENT = 200; // the server's limit per list request; the newest are sent

function read() {
  try {
    const entries = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return entries && typeof entries === 'object' ? entries : {};
  } catch {
    return {}; // storage off or unreadable: the page works, without "my models"
  }
}

function write(entries) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
  } catch {
    // private browsing or a full storage: the key is lost, the model stays readable by its link
  }
}

export function rememberOwnerKey(id, key) {
  if (!id || !key) return;
  write({ ...read(), [id]: { key, saved: Date.now() } });
}

export const ownerKeyOf = (id) => read()[id]?.key ?? null;

export function forgetOwnerKey(id) {
  const entries = read();
  delete entries[id];
  write(entries);
}

/** The X-Owner-Keys header's value: the newest keys first. */
export function ownerKeysHeader() {
  return Object.values(read()).sort((a, b) => b.saved - a.saved).slice(0, MOST_SENT).map((e) => e.key).join(',');
}
