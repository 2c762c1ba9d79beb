// The Speed menu: the template's speeds, only those this server allows (hello.settings.speed), plus its limit and a
// link's own number where the menu lacks them.

import { option } from '../lib/dom.js';

const steps = (count) => count.toLocaleString('en-US');

export function createSpeedMenu(select) {
  const SPEEDS = [...select.options].map((o) => [o.value, o.text]); // the template's menu, before any limit

  /** A speed the menu lacks, in its place among the others. */
  function add(value, text) {
    if ([...select.options].some((o) => o.value === value)) return;
    const after = [...select.options].find((o) => o.value === 'max' || Number(o.value) > Number(value));
    select.add(option(value, text), after ?? null);
  }

  return {
    populate(hello) {
      const fastest = hello.settings?.speed?.maximum ?? Infinity;
      const allowed = SPEEDS.filter(([value]) => value === 'max' || Number(value) <= fastest);
      select.replaceChildren(...allowed.map(([value, text]) => option(value, text)));
      if (allowed.length < SPEEDS.length) add(String(fastest), `${steps(fastest)} steps/s (this server’s limit)`);
    },
    /** Show `speed` (steps per second, or "max"), adding it to the menu when it is a number the menu lacks. */
    show(speed) {
      if (/^\d+$/.test(String(speed))) add(String(speed), `${steps(Number(speed))} steps/s`);
      select.value = speed;
    },
  };
}
