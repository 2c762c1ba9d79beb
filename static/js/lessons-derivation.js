// The derivation page (/learn/softmax): KaTeX renders the math written in the page as \( … \) and \[ … \],
// and the Print button appears once this script runs (printing needs no script, only the button does).

import renderMathInElement from '../../vendor/katex/contrib/auto-render.mjs'; // relative: works under a root path too

const article = document.getElementById('derivation');
renderMathInElement(article, {
  delimiters: [
    { left: '\\[', right: '\\]', display: true },
    { left: '\\(', right: '\\)', display: false },
  ],
  throwOnError: false,
});
document.body.dataset.mathRendered = 'true'; // tests wait for this

const print = document.getElementById('print');
print.hidden = false;
print.addEventListener('click', () => window.print());
