/** The model registry, read side: one model row by uuid, or by name for its latest version (404 otherwise). */
import type { Model } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findModel(db: Db, idOrName: string): Promise<Model> {
  const model = UUID.test(idOrName)
    ? await db.model.findUnique({ where: { id: idOrName } })
    : await db.model.findFirst({ where: { name: idOrName }, orderBy: { version: 'desc' } });
  if (!model) throw new NotFoundError('model', idOrName);
  return model;
}
