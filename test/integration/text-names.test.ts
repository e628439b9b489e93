/**
 * Text rules and look-alike names through the HTTP API of the local stack: forbidden characters
 * are a 422 naming the field, a name that looks like (or is another spelling of) an existing one
 * is a 409 naming that instance on every path that takes a name, and instances written under
 * the older claim rules keep working and can be migrated.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { migrateNameClaims } from '../../shared/repo/name-claim-migration.ts';
import {
  legacyNameClaimKey,
  nameClaimKey,
  nameClaimKeys,
  toItem,
} from '../../shared/repo/items.ts';
import { api, createInstance, eventually, stack, validInstance } from '../support/api.ts';

const CYRILLIC_A = '\u0430';
const CYRILLIC_IE = '\u0435';
const tag = () => randomUUID().slice(0, 8);

const doc = () =>
  createDocumentClient(new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS }));
const tables = () => stack().tables;

function expect422(res: { status: number; body: any }, field: string, message: string) {
  expect(res.status).toBe(422);
  expect(res.body.error.type).toBe('ValidationError');
  expect(res.body.error.details[field]).toBe(message);
}

function expectTaken(
  res: { status: number; body: any },
  name: string,
  existing: { id: number; name: string },
) {
  expect(res.status).toBe(409);
  expect(res.body.error.type).toBe('Conflict');
  expect(res.body.error.details).toEqual({
    name,
    existing_id: existing.id,
    existing_name: existing.name,
  });
}

const INVISIBLE = (cp: string) =>
  `must not contain invisible, formatting or bidirectional control characters (found ${cp})`;
const CONTROL = (cp: string) => `must not contain control characters (found ${cp})`;
const SURROGATE = (cp: string) => `must not contain unpaired surrogates (found ${cp})`;

describe('text fields refuse invisible and control characters (422 naming the field)', () => {
  it.each([
    ['zero-width space', '\u200B', 'U+200B'],
    ['zero-width joiner', '\u200D', 'U+200D'],
    ['zero-width non-joiner', '\u200C', 'U+200C'],
    ['soft hyphen', '\u00AD', 'U+00AD'],
    ['variation selector', '\uFE0F', 'U+FE0F'],
    ['tag character', '\u{E0061}', 'U+E0061'],
    ['right-to-left override', '\u202E', 'U+202E'],
  ])('name with a %s', async (_what, ch, cp) => {
    const res = await api('POST', '/api/instances', validInstance({ name: `gpu${ch}-${tag()}` }));
    expect422(res, 'name', INVISIBLE(cp));
  });

  it('in every identifier-like field, on create and on update', async () => {
    const create = await api(
      'POST',
      '/api/instances',
      validInstance({
        model_name: 'llama\u200B3',
        cluster_name: 'gpu\u202Ecluster',
        image_tag: 'vllm:0.6\uFE0F',
        model_version: 'v\u00AD2',
        envs: { 'PA\u200DTH': '/bin' },
      }),
    );
    expect(create.status).toBe(422);
    expect(create.body.error.details).toEqual({
      model_name: INVISIBLE('U+200B'),
      cluster_name: INVISIBLE('U+202E'),
      image_tag: INVISIBLE('U+FE0F'),
      model_version: INVISIBLE('U+00AD'),
      'envs.PA\u200DTH': 'invalid key: must match ^[A-Za-z_][A-Za-z0-9_]*$',
    });
    const { id } = await createInstance();
    const patch = await api('PATCH', `/api/instances/${id}`, { cluster_name: 'gpu\u2066x' });
    expect422(patch, 'cluster_name', INVISIBLE('U+2066'));
  });

  it('NUL, C1 controls and lone surrogates in any text field', async () => {
    expect422(
      await api('POST', '/api/instances', validInstance({ name: `nul\u0000-${tag()}` })),
      'name',
      CONTROL('U+0000'),
    );
    expect422(
      await api('POST', '/api/instances', validInstance({ description: 'a\u0085b' })),
      'description',
      CONTROL('U+0085'),
    );
    expect422(
      await api('POST', '/api/instances', validInstance({ quantization: 'fp8\u009B' })),
      'quantization',
      CONTROL('U+009B'),
    );
    // JSON.stringify writes a lone surrogate as the escape `\ud800`, which JSON.parse accepts.
    const body = JSON.stringify(validInstance({ name: `half\uD800-${tag()}` }));
    expect(body).toContain('\\ud800');
    expect422(await api('POST', '/api/instances', body), 'name', SURROGATE('U+D800'));
    expect422(
      await api('POST', '/api/instances', validInstance({ envs: { NOTE: 'x\uDFFF' } })),
      'envs.NOTE',
      SURROGATE('U+DFFF'),
    );
  });

  it('keeps tab and line feed in a description and env values, and emoji and accents everywhere', async () => {
    const res = await api(
      'POST',
      '/api/instances',
      validInstance({
        name: `modèle-große-😀-${tag()}`,
        description: 'first line\n\tsecond line 👩\u200D💻',
        envs: { CERT: '-----BEGIN-----\nabc\n-----END-----' },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.description).toBe('first line\n\tsecond line 👩\u200D💻');
    expect(res.body.envs.CERT).toBe('-----BEGIN-----\nabc\n-----END-----');
  });
});

describe('names that look alike or differ only in case are one name (409 naming the holder)', () => {
  it.each([
    ['Cyrillic а for Latin a', (t: string) => [`paypal-${t}`, `p${CYRILLIC_A}ypal-${t}`]],
    ['straße and STRASSE', (t: string) => [`straße-${t}`, `STRASSE-${t.toUpperCase()}`]],
    ['İstanbul and istanbul', (t: string) => [`İstanbul-${t}`, `istanbul-${t}`]],
    ['rn and m', (t: string) => [`model-${t}`, `rnodel-${t}`]],
  ])('%s', async (_what, names) => {
    const [first, second] = names(tag());
    const existing = await createInstance({ name: first });
    const res = await api('POST', '/api/instances', validInstance({ name: second }));
    expectTaken(res, second!, existing);
  });

  it('says which kind of clash it is', async () => {
    const t = tag();
    const existing = await createInstance({ name: `straße-${t}` });
    const sameName = await api('POST', '/api/instances', validInstance({ name: `STRASSE-${t}` }));
    expect(sameName.body.error.message).toBe(
      `An instance named "straße-${t}" already exists (instance ${existing.id}; names are compared ignoring case)`,
    );
    const lookAlike = await api(
      'POST',
      '/api/instances',
      validInstance({ name: `str${CYRILLIC_A}sse-${t}` }),
    );
    expect(lookAlike.body.error.message).toBe(
      `The name "str${CYRILLIC_A}sse-${t}" looks the same as "straße-${t}" (instance ${existing.id}); names that differ only in look-alike characters are refused`,
    );
  });

  it('accepts a genuinely different name', async () => {
    const t = tag();
    await createInstance({ name: `paypal-${t}` });
    const res = await api('POST', '/api/instances', validInstance({ name: `paypal-${t}-b` }));
    expect(res.status).toBe(201);
  });

  it('refuses a rename to a look-alike of another instance, but not of its own name', async () => {
    const t = tag();
    const other = await createInstance({ name: `zeta-${t}` });
    const mine = await createInstance({ name: `p${CYRILLIC_A}ypal-${t}` });
    const clash = await api('PATCH', `/api/instances/${mine.id}`, {
      name: `z${CYRILLIC_IE}ta-${t}`,
    });
    expectTaken(clash, `z${CYRILLIC_IE}ta-${t}`, other);
    // Fixing the look-alike character in its own name keeps its claim: no clash with itself.
    const fixed = await api('PATCH', `/api/instances/${mine.id}`, { name: `PayPal-${t}` });
    expect(fixed.status).toBe(200);
    expect(fixed.body.name).toBe(`PayPal-${t}`);
    const taken = await api('POST', '/api/instances', validInstance({ name: `paypal-${t}` }));
    expectTaken(taken, `paypal-${t}`, { id: mine.id, name: `PayPal-${t}` });
  });

  it('refuses to restore a deleted instance whose name a look-alike took meanwhile', async () => {
    const t = tag();
    const gone = await createInstance({ name: `omega-${t}` });
    const history = await eventually(async () => {
      const res = await api('GET', `/api/instances/${gone.id}/history`);
      return res.body?.items?.length === 1 ? res.body.items : undefined;
    });
    expect((await api('DELETE', `/api/instances/${gone.id}`)).status).toBe(200);
    const taker = await createInstance({ name: `om${CYRILLIC_IE}ga-${t}` });
    const res = await api('POST', `/api/instances/${gone.id}/restore/${history[0].history_id}`);
    expectTaken(res, `omega-${t}`, taker);
  });

  it('refuses a copy under a look-alike name', async () => {
    const t = tag();
    const source = await createInstance({ name: `sigma-${t}` });
    const res = await api('POST', `/api/instances/${source.id}/copy`, {
      name: `sigm${CYRILLIC_A}-${t}`,
    });
    expectTaken(res, `sigm${CYRILLIC_A}-${t}`, source);
  });

  it('refuses a name whose capitals look like another name as written (САТ beside CAT)', async () => {
    const t = tag();
    // Cyrillic С, А, Т have the shapes of Latin C, A, T, but lower-cased т looks like ᴛ, not t:
    // only the skeletons of the names as written meet.
    const cyrillic = `\u0421\u0410\u0422-${t}`;
    const latin = await createInstance({ name: `CAT-${t}` });
    const created = await api('POST', '/api/instances', validInstance({ name: cyrillic }));
    expectTaken(created, cyrillic, latin);
    const other = await createInstance({ name: `dog-${t}` });
    const renamed = await api('PATCH', `/api/instances/${other.id}`, { name: cyrillic });
    expectTaken(renamed, cyrillic, latin);
    // A delete frees every claim the name held.
    expect((await api('DELETE', `/api/instances/${latin.id}`)).status).toBe(200);
    const freed = await api('POST', '/api/instances', validInstance({ name: cyrillic }));
    expect(freed.status).toBe(201);
  });

  it('lets exactly one of two concurrent look-alike creates win', async () => {
    const t = tag();
    const names = [
      `race-${t}`,
      `r${CYRILLIC_A}ce-${t}`,
      `RACE-${t}`,
      `r${CYRILLIC_A}c${CYRILLIC_IE}-${t}`,
    ];
    const results = await Promise.all(
      names.map((name) => api('POST', '/api/instances', validInstance({ name }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error.details.existing_id).toBe(winner.id);
    }
  });

  it('takes a name that NFKC grows far past a DynamoDB key (hashed claim, cut sort key)', async () => {
    const name = '\uFDFA'.repeat(240) + tag();
    const created = await api('POST', '/api/instances', validInstance({ name }));
    expect(created.status).toBe(201);
    const again = await api('POST', '/api/instances', validInstance({ name }));
    expectTaken(again, name, created.body);
    const listed = await api('GET', `/api/instances?sort_by=name&limit=5`);
    expect(listed.status).toBe(200);
  });
});

/**
 * An instance as older code wrote it: its item without the claim fields that code did not know
 * (`dropped`), holding the one claim `claim`.
 */
async function olderInstance(
  name: string,
  dropped: readonly ('name_claim' | 'name_claim_cased')[],
  claim: string,
) {
  const id = await new InstanceRepository(doc(), tables()).allocateId();
  const now = new Date().toISOString();
  const item: Record<string, unknown> = {
    ...toItem(
      {
        ...createInstanceSchema.parse(validInstance({ name })),
        id,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: 'older',
        updated_by: 'older',
      },
      'create',
      { actor: 'older', opId: `older-${id}` },
    ),
  };
  for (const field of dropped) delete item[field];
  await doc().send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tables().instances, Item: item } },
        { Put: { TableName: tables().meta, Item: { pk: claim, instance_id: id } } },
      ],
    }),
  );
  return { id, name };
}

/** Written before skeleton claims: no `name_claim`, the legacy claim. */
const legacyInstance = (name: string) =>
  olderInstance(name, ['name_claim', 'name_claim_cased'], legacyNameClaimKey(name));
/** Written before `name_claim_cased`: the folded claim only. */
const foldedOnlyInstance = (name: string) =>
  olderInstance(name, ['name_claim_cased'], nameClaimKey(name));

describe('instances written under the older claim rules', () => {
  const claimOf = async (pk: string) =>
    (await doc().send(new GetCommand({ TableName: tables().meta, Key: { pk } }))).Item;

  it('keep working: read, update, rename (moving their claim) and delete', async () => {
    const t = tag();
    const legacy = await legacyInstance(`Llama-70B-${t}`);
    expect((await api('GET', `/api/instances/${legacy.id}`)).status).toBe(200);
    const patched = await api('PATCH', `/api/instances/${legacy.id}`, { replicas: 3 });
    expect(patched.status).toBe(200);
    const renamed = await api('PATCH', `/api/instances/${legacy.id}`, { name: `qwen-72b-${t}` });
    expect(renamed.status).toBe(200);
    expect(await claimOf(legacyNameClaimKey(legacy.name))).toBeUndefined();
    expect(await claimOf(nameClaimKey(`qwen-72b-${t}`))).toMatchObject({ instance_id: legacy.id });
    expect((await api('DELETE', `/api/instances/${legacy.id}`)).status).toBe(200);
    expect(await claimOf(nameClaimKey(`qwen-72b-${t}`))).toBeUndefined();

    const other = await legacyInstance(`Mistral-${t}`);
    expect((await api('DELETE', `/api/instances/${other.id}`)).status).toBe(200);
    expect(await claimOf(legacyNameClaimKey(other.name))).toBeUndefined();
  });

  it('are moved to skeleton claims by migrateNameClaims, which reports look-alike pairs', async () => {
    const t = tag();
    const legacy = await legacyInstance(`Gemma-${t}`);
    const twin = await legacyInstance(`G${CYRILLIC_IE}mma-${t}`);

    const result = await migrateNameClaims(doc(), tables());

    const mine = [legacy.id, twin.id];
    expect(result.collisions.filter((c) => mine.includes(c.id))).toHaveLength(1);
    const [collision] = result.collisions.filter((c) => mine.includes(c.id));
    const holder = collision!.id === twin.id ? legacy : twin;
    expect(collision!.existing_id).toBe(holder.id);
    expect(await claimOf(nameClaimKey(`gemma-${t}`))).toMatchObject({ instance_id: holder.id });

    // Migrated: the skeleton claim now blocks look-alikes and other spellings.
    const res = await api('POST', '/api/instances', validInstance({ name: `GEMMA-${t}` }));
    expectTaken(res, `GEMMA-${t}`, holder);
    // The one left on its old claim still works, and a rename resolves the pair.
    const loser = collision!.id === twin.id ? twin : legacy;
    const renamed = await api('PATCH', `/api/instances/${loser.id}`, { name: `gemma-2-${t}` });
    expect(renamed.status).toBe(200);
    expect((await migrateNameClaims(doc(), tables())).collisions.map((c) => c.id)).not.toContain(
      loser.id,
    );
  });
});

describe('instances written before claims of the name as written', () => {
  it('get that claim from migrateNameClaims, which reports the look-alikes made meanwhile', async () => {
    const t = tag();
    const box = await foldedOnlyInstance(`BOX-${t}`);
    const het = await foldedOnlyInstance(`HET-${t}`);
    // Before the migration they block other spellings of themselves, not every look-alike.
    expectTaken(
      await api('POST', '/api/instances', validInstance({ name: `box-${t}` })),
      `box-${t}`,
      box,
    );
    const twin = await createInstance({ name: `\u0412\u041E\u0425-${t}` });

    const result = await migrateNameClaims(doc(), tables());

    expect(result.collisions.filter((c) => c.id === box.id || c.id === het.id)).toEqual([
      { id: box.id, name: box.name, existing_id: twin.id },
    ]);
    const hetItem = (
      await doc().send(new GetCommand({ TableName: tables().instances, Key: { id: het.id } }))
    ).Item!;
    expect(hetItem.name_claim_cased).toBe(nameClaimKeys(het.name)[1]);
    const cyrillic = `\u041D\u0415\u0422-${t}`;
    expectTaken(
      await api('POST', '/api/instances', validInstance({ name: cyrillic })),
      cyrillic,
      het,
    );
  });
});

describe('the claim written with a new instance', () => {
  it('is the skeleton key, recorded on the item', async () => {
    const created = await createInstance({ name: `Modern-${tag()}` });
    const item = (
      await doc().send(new GetCommand({ TableName: tables().instances, Key: { id: created.id } }))
    ).Item!;
    expect(item.name_claim).toBe(nameClaimKey(created.name));
    expect(item.name_claim).toContain('rnodern');
    // Nothing else can claim it.
    await expect(
      doc().send(
        new PutCommand({
          TableName: tables().meta,
          Item: { pk: item.name_claim, instance_id: -1 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toThrow();
  });
});
