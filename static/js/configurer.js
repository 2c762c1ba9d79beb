// The experiment the page asks for. `configure` messages wait here until the server answers each, in order, with
// `configured` or an `error` that names it (`in_reply_to`); the link changes only when the server accepts one, so
// the link, and "Copy link", never hold a value that was refused. A refused link starts with that one setting at
// its default (and says so at the top); past a few tries, or when no single setting is named, with the defaults.

import {
  configureMessage, defaultSettings, learningRateProblem, reconcile, regularizationRateProblem, resetSetting,
  restartsTraining, speedValue,
} from './settings.js';

const STILL_PREVIOUS = 'Still showing the previous settings.';
const MAX_LINK_FALLBACKS = 4; // a link's refused values put back one at a time; past this, the defaults

/**
 * `send(message)`: to the socket; `showSettings(settings)`: into the form; `setLink(settings)`: the page's
 * address for these settings.
 */
export function createConfigurer({ store, send, showSettings, setLink }) {
  let accepted = null; // the settings of the experiment the server runs, once it accepted them
  let pending = []; // { settings, origin: 'link' | 'defaults' | 'edit', tries }, oldest first

  function setErrors(problems) {
    store.update(['errors'], (state) => {
      state.errors = Object.fromEntries(problems.map((p) => [p.field, { message: p.message, note: p.note }]));
    });
  }

  function addError(field, message, note) {
    store.update(['errors'], (state) => {
      state.errors[field ?? ''] = { message, note };
    });
  }

  /** A note about the link: `key` is the link's name for the value it is about (null: the whole link). */
  function addNotice(key, text) {
    store.update(['notices'], (state) => {
      state.notices = [...state.notices, { key, text }];
    });
  }

  /** A refused edit leaves the running experiment alone: the error says so. */
  const stillPrevious = () => (accepted ? STILL_PREVIOUS : undefined);

  /** Send the experiment the settings describe (after checking what the page can check itself). */
  function configure(settings, { keepPlaying = true, origin = 'edit', tries = 0 } = {}) {
    const { message, problems } = configureMessage(settings, store.state.hello);
    if (problems.length) {
      if (origin === 'link') linkRefused(settings, problems[0].field, problems[0].message, tries);
      else setErrors(problems.map((p) => ({ ...p, note: stillPrevious() })));
      return;
    }
    setErrors([]);
    const wasPlaying = keepPlaying && store.state.status.playing;
    store.update([], (state) => {
      state.lastConfigure = message;
    });
    pending.push({ settings: structuredClone(settings), origin, tries });
    send(message);
    if (wasPlaying) send({ type: 'play' }); // a changed setting restarts the experiment, not the animation
  }

  function linkRefused(settings, field, reason, tries) {
    const hello = store.state.hello;
    const fixed = structuredClone(settings);
    const reset = tries < MAX_LINK_FALLBACKS ? resetSetting(fixed, field, hello) : null;
    if (reset && reset.was !== reset.now) {
      addNotice(reset.key, `The link’s ${reset.label}, “${reset.was}”, was not accepted: ${reason}. ` +
        `The dashboard started with the default ${reset.label}, “${reset.now}”, instead.`);
      showSettings(fixed);
      configure(fixed, { keepPlaying: false, origin: 'link', tries: tries + 1 });
      return;
    }
    addNotice(null, `The link’s settings were not accepted: ${reason}. The dashboard started with the default settings instead.`);
    const defaults = defaultSettings(hello);
    reconcile(defaults, hello);
    showSettings(defaults);
    configure(defaults, { keepPlaying: false, origin: 'defaults' });
  }

  /** The oldest `configure` was accepted: the link now says what runs. */
  function accept() {
    const request = pending.shift();
    if (!request) return;
    accepted = request.settings;
    setLink(accepted);
  }

  /** An error that answers the oldest `configure`, or a refused live learning rate: false when it answers something
   * else. */
  function refuse(error) {
    if (error.in_reply_to?.type === 'set' && error.field === 'learning_rate') {
      addError('optimizer.learning_rate', error.message);
      return true;
    }
    if (error.in_reply_to?.type === 'set' && error.field === 'regularization_rate') {
      addError('regularization_rate', error.message);
      return true;
    }
    if (error.in_reply_to?.type !== 'configure' || pending.length === 0) return false;
    const request = pending.shift();
    if (request.origin === 'link') linkRefused(request.settings, error.field, error.message, request.tries);
    else if (request.origin === 'defaults') addError(error.field, error.message);
    else addError(error.field, error.message, stillPrevious());
    return true;
  }

  // The `set` for a setting the server changes live, and the field its errors are filed under.
  const LIVE = {
    lr: (settings) => [{ type: 'set', learning_rate: settings.lr }, 'optimizer.learning_rate'],
    regRate: (settings) => [{ type: 'set', regularization_rate: settings.regRate }, 'regularization_rate'],
    speed: (settings) => [{ type: 'set', speed: speedValue(settings.speed) }, 'speed'],
    example: (settings) => [{ type: 'set', example: settings.example }, 'example'],
  };

  /** A setting changed in the form. The learning rate, speed and example change live, from the step training is
   * at; the link takes the new value with the accepted settings, not with whatever else the form holds (a refused
   * value, say). Anything else needs new weights: a new experiment from step 0 (the form said so beforehand). */
  function change(settings, name) {
    if (restartsTraining(name)) {
      configure(settings);
      return;
    }
    const [message, field] = LIVE[name](settings);
    const problem = name === 'lr' ? learningRateProblem(settings.lr, store.state.hello)
      : name === 'regRate' ? regularizationRateProblem(settings.regRate, store.state.hello) : null;
    if (problem) {
      addError(field, problem, stillPrevious());
      return;
    }
    for (const request of [accepted, ...pending.map((r) => r.settings)]) if (request) request[name] = settings[name];
    setLink(accepted ?? settings);
    store.update(['errors'], (state) => {
      delete state.errors[field];
      delete state.errors[''];
    });
    send(message);
  }

  return {
    configure,
    accept,
    refuse,
    change,
    /** A problem found before anything was sent (an imported file the server refused), beside its control. */
    showError: (field, message) => addError(field, message, stillPrevious()),
    /** The settings the server runs, if it accepted any yet. */
    accepted: () => accepted,
    /** A new connection: nothing sent on the old one will be answered. */
    forgetPending: () => {
      pending = [];
    },
  };
}
