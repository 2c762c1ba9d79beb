// The settings fold away on a narrow screen so the charts come first; wider screens show them open. A setting
// that gets an error opens the fold, so the message is never hidden.

const NARROW = matchMedia('(max-width: 900px)');
const fold = document.getElementById('settings-fold');

if (fold) {
  fold.open = !NARROW.matches;
  NARROW.addEventListener('change', () => { fold.open = !NARROW.matches; });
  new MutationObserver(() => {
    if (fold.querySelector('.has-error')) fold.open = true;
  }).observe(fold, { subtree: true, attributeFilter: ['class'] });
}
