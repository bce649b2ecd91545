/**
 * Writes the OpenAPI document as YAML for readers: short schemas and lists on one line
 * (`{ type: string, format: uuid }`), operations, responses and longer schemas as blocks,
 * prose as folded text. Deterministic: the same document always gives the same bytes.
 */
import { Document, isMap, isScalar, isSeq, Scalar, visit } from 'yaml';

/** A collection whose one-line form is at most this long is written on one line. */
const FLOW_WIDTH = 130;
/** Keys whose values stay blocks however short (the document's structure). */
const BLOCK_KEYS = new Set([
  'paths',
  'components',
  'schemas',
  'responses',
  'requestBody',
  'content',
  'securitySchemes',
  'get',
  'post',
  'delete',
  'info',
  'properties',
]);

const short = (node: { toJSON(): unknown }) => JSON.stringify(node.toJSON()).length <= FLOW_WIDTH;

export function toYaml(document: Record<string, unknown>): string {
  const doc = new Document(document);
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value;
      if ((isMap(value) || isSeq(value)) && !BLOCK_KEYS.has(key) && !key.startsWith('/') && !(isMap(value) && value.has('content')) && short(value))
        value.flow = true;
      if (isScalar(value) && typeof value.value === 'string' && value.value.includes('\n')) value.type = Scalar.BLOCK_LITERAL;
    },
    Seq(_, seq) {
      for (const item of seq.items) if (isMap(item) && short(item)) item.flow = true;
    },
  });
  return doc.toString({ lineWidth: 130, minContentWidth: 40, flowCollectionPadding: true, singleQuote: true });
}
