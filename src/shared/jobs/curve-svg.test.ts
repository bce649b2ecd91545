import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsample, escapeXml, formatTick, niceAxis } from './curve-scale.ts';
import { renderLearningCurveSvg, type CurveMetric } from './curve-svg.ts';

interface Element {
  readonly name: string;
  readonly attributes: Record<string, string>;
}

/**
 * A strict little XML well-formedness check (enough for SVG without DTDs or CDATA): every tag
 * balanced, attributes quoted and unique, text and attribute values free of raw "<" and of "&"
 * outside an entity. Returns the elements in document order; throws on the first problem.
 */
function parseXml(xml: string): Element[] {
  const elements: Element[] = [];
  const stack: string[] = [];
  const entity = /^&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  const checkText = (text: string, where: string) => {
    for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
      if (!entity.test(text.slice(i))) throw new Error(`bare & in ${where}: ${text.slice(i, i + 20)}`);
    }
    if (text.includes('<')) throw new Error(`raw < in ${where}`);
  };
  let i = 0;
  let roots = 0;
  while (i < xml.length) {
    const open = xml.indexOf('<', i);
    const text = xml.slice(i, open === -1 ? xml.length : open);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text.slice(0, 20)}`);
    checkText(text, 'text');
    if (open === -1) break;
    const close = xml.indexOf('>', open);
    if (close === -1) throw new Error('unterminated tag');
    const tag = xml.slice(open + 1, close);
    i = close + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const match = /^([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"]*")*)\s*$/.exec(body);
    if (!match) throw new Error(`malformed tag <${tag.slice(0, 40)}>`);
    const attributes: Record<string, string> = {};
    for (const [, key, value] of match[2]!.matchAll(/([A-Za-z_][\w.:-]*)="([^"]*)"/g)) {
      if (key! in attributes) throw new Error(`duplicate attribute ${key}`);
      checkText(value!, `attribute ${key}`);
      attributes[key!] = value!;
    }
    if (stack.length === 0 && ++roots > 1) throw new Error('more than one root element');
    elements.push({ name: match[1]!, attributes });
    if (!selfClosing) stack.push(match[1]!);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  return elements;
}

function run(n: number, validateEvery: number): CurveMetric[] {
  return Array.from({ length: n }, (_, k) => {
    const iteration = k + 1;
    const validated = iteration % validateEvery === 0;
    return {
      iteration,
      metaLoss: 1.6 * Math.exp(-iteration / 300) + 0.1 + 0.05 * Math.sin(iteration),
      accuracy: 1 - Math.exp(-iteration / 300) * 0.8,
      validationAccuracy: validated ? 0.9 - 0.5 * Math.exp(-iteration / 400) : null,
      validationCi95: validated ? 0.02 : null,
    };
  });
}

const pointsOf = (element: Element) => (element.attributes.points ?? '').trim().split(/\s+/);

test('the checker itself rejects what is not well-formed', () => {
  for (const bad of ['<a><b></a>', '<a x="1" x="2"/>', '<a>1 < 2</a>', '<a>R&D</a>', '<a x=1/>', '<a/><b/>', '<a>']) {
    assert.throws(() => parseXml(bad), Error, bad);
  }
  assert.equal(parseXml('<a x="&amp;"><b/>t&lt;</a>').length, 2);
});

test('a run renders as well-formed, self-contained SVG with axes, legend and title', () => {
  const svg = renderLearningCurveSvg(run(2000, 100), { title: 'omniglot-5way-maml', subtitle: 'job 1' });
  const elements = parseXml(svg);
  assert.equal(elements[0]!.name, 'svg');
  assert.equal(elements[0]!.attributes.xmlns, 'http://www.w3.org/2000/svg');
  assert.ok(elements.some((e) => e.name === 'title'));
  assert.doesNotMatch(svg, /<script|<style|<image|href=|url\(|@import|<foreignObject/i);
  const lines = elements.filter((e) => e.name === 'polyline');
  assert.equal(lines.length, 3, 'loss, training accuracy, validation accuracy');
  assert.equal(elements.filter((e) => e.name === 'polygon').length, 1, 'the CI band');
  assert.equal(elements.filter((e) => e.name === 'circle').length, 20, 'one marker per validation');
  for (const label of ['meta-training loss', 'accuracy', 'iteration', 'training loss (query)', 'validation accuracy ± 95% CI', '100%', '2000']) {
    assert.ok(svg.includes(`>${label}<`), label);
  }
  // every drawn coordinate lies inside the canvas
  for (const line of lines) {
    for (const pair of pointsOf(line)) {
      const [x, y] = pair.split(',').map(Number);
      assert.ok(x! >= 0 && x! <= 800 && y! >= 0 && y! <= 600, pair);
    }
  }
});

test('long runs are downsampled to at most maxPoints per series', () => {
  const svg = renderLearningCurveSvg(run(60_000, 500), { title: 't' });
  const lines = parseXml(svg).filter((e) => e.name === 'polyline');
  assert.deepEqual(
    lines.map((l) => pointsOf(l).length),
    [1000, 1000, 120],
  );
  const few = parseXml(renderLearningCurveSvg(run(5000, 500), { title: 't', maxPoints: 50 })).filter((e) => e.name === 'polyline');
  assert.deepEqual(
    few.map((l) => pointsOf(l).length),
    [50, 50, 10],
  );
});

test('no metrics → a clear "no data yet" chart; non-finite losses are skipped, not drawn', () => {
  const empty = renderLearningCurveSvg([], { title: 'queued job' });
  parseXml(empty);
  assert.match(empty, /no data yet/);
  assert.doesNotMatch(empty, /<polyline/);

  const diverged = run(10, 100).map((m, i) => (i > 4 ? { ...m, metaLoss: Number.NaN } : m));
  const svg = renderLearningCurveSvg(diverged, { title: 't' });
  parseXml(svg);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.equal(pointsOf(parseXml(svg).find((e) => e.name === 'polyline')!).length, 5);
  const one = renderLearningCurveSvg(run(1, 100), { title: 't' });
  assert.doesNotMatch(one, /NaN|Infinity/);
  parseXml(one);
});

test('titles are escaped', () => {
  const svg = renderLearningCurveSvg(run(3, 1), { title: '<script>alert("x")</script> & co\u0001' });
  parseXml(svg);
  assert.doesNotMatch(svg, /<script/);
  assert.match(svg, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; co</);
});

test('scale helpers: nice ticks, labels, bucket means', () => {
  assert.deepEqual(niceAxis(0, 60_000, 8).ticks, [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  assert.deepEqual(niceAxis(0.13, 1.62, 5), { min: 0, max: 2, ticks: [0, 0.5, 1, 1.5, 2] });
  const flat = niceAxis(3, 3);
  assert.ok(flat.min < 3 && flat.max > 3);
  assert.deepEqual([formatTick(60_000), formatTick(1_500_000), formatTick(0.1 + 0.2), formatTick(250)], ['60k', '1.5M', '0.3', '250']);
  const points = Array.from({ length: 10 }, (_, i) => ({ x: i, y: i * 2 }));
  assert.deepEqual(downsample(points, 5), [
    { x: 0.5, y: 1 },
    { x: 2.5, y: 5 },
    { x: 4.5, y: 9 },
    { x: 6.5, y: 13 },
    { x: 8.5, y: 17 },
  ]);
  assert.deepEqual(
    downsample(
      [
        { x: 1, y: Number.NaN },
        { x: 2, y: 1 },
      ],
      5,
    ),
    [{ x: 2, y: 1 }],
  );
  assert.equal(escapeXml('a\u0000b<'), 'ab&lt;');
});
