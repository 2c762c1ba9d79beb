// The guided lessons' data (GET /api/lessons, written in app/lessons, where tests run every preset) and how
// a lesson becomes dashboard settings: a lesson is applied exactly like a link, through the settings form.

import { isClassroomKey } from './classroom.js';
import { settingsFromConfig } from './settings.js';

/** The lessons, in order; [] when they cannot be loaded (the dashboard works without them). */
export async function loadLessons(url) {
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    return response.ok ? await response.json() : [];
  } catch {
    return [];
  }
}

/** A nested part of a configuration merged into it, as app/lessons/model.py's TryThis.config does. */
export function mergeChange(base, change) {
  const result = structuredClone(base);
  for (const [key, value] of Object.entries(change)) {
    const both = value && typeof value === 'object' && !Array.isArray(value) && result[key] && typeof result[key] === 'object';
    result[key] = both ? mergeChange(result[key], value) : structuredClone(value);
  }
  return result;
}

/** The settings of a lesson's preset, or of the preset after its "Try this" change. */
export function lessonSettings(lesson, hello, { tried = false } = {}) {
  const config = tried ? mergeChange(lesson.preset, lesson.try_this.change) : lesson.preset;
  return settingsFromConfig(config, { speed: lesson.speed, lesson: lesson.number, hello });
}

/** True for a link that names a lesson and no experiment ("#lesson=3", or a classroom link's "#lesson=3&hide=runs"):
 * it means "start that lesson". */
export function namesOnlyALesson(hash) {
  const keys = hash.replace(/^#/, '').split('&').filter(Boolean).map((pair) => pair.split('=')[0]);
  return keys.includes('lesson') && keys.every((key) => key === 'lesson' || isClassroomKey(key));
}
