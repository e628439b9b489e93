/**
 * Text rules and name comparison: what a text field may contain (422 naming the field and the
 * character), names compared by full case folding after NFKC, and look-alike names sharing one
 * claim key (the Unicode TS #39 skeleton), for new and for pre-existing (legacy) data.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { AppError } from '../../shared/domain/errors.ts';
import {
  createInstanceSchema,
  nameKey,
  updateInstanceSchema,
  type Instance,
} from '../../shared/domain/instance.ts';
import { actorProblem, textProblem } from '../../shared/domain/text.ts';
import { parseBody } from '../../shared/domain/validation.ts';
import {
  heldNameClaims,
  legacyNameClaimKey,
  nameClaimKey,
  nameClaimKeys,
  nameSkeleton,
  toInstance,
  toItem,
} from '../../shared/repo/items.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { nameTakenError } from '../../shared/repo/instance-writer.ts';

const CYRILLIC_A = '\u0430';
const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const repo = new InstanceRepository(client, { instances: 'instances', meta: 'meta' });
afterEach(() => ddb.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => ddb.restore());

/** The 422 details `parseBody` answers for `body`, or undefined if it is accepted. */
function detailsOf(schema: Parameters<typeof parseBody>[0], body: Record<string, unknown>) {
  try {
    parseBody(schema, body);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    return (err as AppError).details;
  }
}

const valid = { name: 'a', model_name: 'm', cluster_name: 'c', image_tag: 'i' };

describe('actorProblem', () => {
  it('takes any printable subject up to 256 characters, counted as code points', () => {
    expect(actorProblem('auth0|5f7c1e@example.com')).toBeUndefined();
    expect(actorProblem('😀'.repeat(256))).toBeUndefined();
    expect(actorProblem('😀'.repeat(257))).toBe('must be at most 256 characters');
    expect(actorProblem('a\u202Eb')).toMatch(/bidirectional control characters \(found U\+202E\)/);
  });
});

describe('textProblem', () => {
  it.each([
    ['zero-width space', 'pay\u200Bpal', 'U+200B'],
    ['zero-width non-joiner', 'pay\u200Cpal', 'U+200C'],
    ['zero-width joiner', 'pay\u200Dpal', 'U+200D'],
    ['soft hyphen', 'pay\u00ADpal', 'U+00AD'],
    ['variation selector 16', 'pay\uFE0Fpal', 'U+FE0F'],
    ['variation selector 17 (supplementary)', 'pay\u{E0100}pal', 'U+E0100'],
    ['tag character', 'pay\u{E0041}pal', 'U+E0041'],
    ['cancel tag', 'pay\u{E007F}pal', 'U+E007F'],
    ['right-to-left override', 'pay\u202Epal', 'U+202E'],
    ['right-to-left isolate', 'pay\u2067pal', 'U+2067'],
    ['byte order mark inside', 'pay\uFEFFpal', 'U+FEFF'],
    ['Hangul filler', 'pay\u3164pal', 'U+3164'],
    ['line separator', 'pay\u2028pal', 'U+2028'],
  ])('refuses a %s in an identifier, naming it', (_what, s, cp) => {
    expect(textProblem(s, 'identifier')).toBe(
      `must not contain invisible, formatting or bidirectional control characters (found ${cp})`,
    );
  });

  it('keeps format characters in free text (a zero-width joiner builds emoji sequences)', () => {
    expect(textProblem('family 👨\u200D👩\u200D👧', 'multiline')).toBeUndefined();
    expect(textProblem('fp8\u200B', 'line')).toBeUndefined();
  });

  it.each([
    ['NUL', '\u0000', 'U+0000'],
    ['escape', '\u001B[31m', 'U+001B'],
    ['delete', '\u007F', 'U+007F'],
    ['C1 next line', '\u0085', 'U+0085'],
    ['C1 control sequence introducer', '\u009B', 'U+009B'],
    ['carriage return', '\r', 'U+000D'],
  ])('refuses a %s in every kind of text', (_what, ch, cp) => {
    for (const kind of ['identifier', 'line', 'multiline'] as const) {
      expect(textProblem(`a${ch}b`, kind)).toBe(
        `must not contain control characters (found ${cp})`,
      );
    }
  });

  it('allows tab and line feed in multi-line text only', () => {
    expect(textProblem('line 1\n\tline 2', 'multiline')).toBeUndefined();
    expect(textProblem('a\tb', 'line')).toBe('must not contain control characters (found U+0009)');
    expect(textProblem('a\nb', 'identifier')).toBe(
      'must not contain control characters (found U+000A)',
    );
  });

  it.each([
    ['a lone high surrogate', 'a\uD800b', 'U+D800'],
    ['a lone low surrogate', 'a\uDC00b', 'U+DC00'],
    ['a trailing high surrogate', 'ab\uDBFF', 'U+DBFF'],
    ['two surrogates in the wrong order', 'a\uDC00\uD800b', 'U+DC00'],
  ])('refuses %s in every kind of text', (_what, s, cp) => {
    for (const kind of ['identifier', 'line', 'multiline'] as const) {
      expect(textProblem(s, kind)).toBe(`must not contain unpaired surrogates (found ${cp})`);
    }
  });

  it('accepts a surrogate pair (an astral character), accents and other scripts', () => {
    for (const s of ['gpu 😀', 'modèle-große', 'İstanbul', 'кластер-1', '東京-gpu', 'ı']) {
      expect(textProblem(s, 'identifier')).toBeUndefined();
    }
  });
});

describe('instance schemas', () => {
  it('answer 422 naming each field that holds a forbidden character', () => {
    const details = detailsOf(createInstanceSchema, {
      name: `p${CYRILLIC_A}y\u200Bpal`,
      model_name: 'llama\u202E',
      cluster_name: 'gpu\u0000',
      image_tag: 'vllm\uFE0F',
      model_version: '1\u00AD0',
      quantization: 'fp\u00858',
      description: 'bad \uD800 half',
      envs: { PATH: '/bin\u0007' },
    });
    expect(details).toEqual({
      name: 'must not contain invisible, formatting or bidirectional control characters (found U+200B)',
      model_name:
        'must not contain invisible, formatting or bidirectional control characters (found U+202E)',
      cluster_name: 'must not contain control characters (found U+0000)',
      image_tag:
        'must not contain invisible, formatting or bidirectional control characters (found U+FE0F)',
      model_version:
        'must not contain invisible, formatting or bidirectional control characters (found U+00AD)',
      quantization: 'must not contain control characters (found U+0085)',
      description: 'must not contain unpaired surrogates (found U+D800)',
      'envs.PATH': 'must not contain control characters (found U+0007)',
    });
  });

  it('check updates the same way, and envs keys stay ASCII identifiers', () => {
    expect(detailsOf(updateInstanceSchema, { name: 'a\u200Db' })).toEqual({
      name: 'must not contain invisible, formatting or bidirectional control characters (found U+200D)',
    });
    expect(detailsOf(updateInstanceSchema, { envs: { 'PA\u200BTH': 'x' } })).toEqual({
      'envs.PA\u200BTH': 'invalid key: must match ^[A-Za-z_][A-Za-z0-9_]*$',
    });
  });

  it('still trim edge whitespace first, and keep multi-line descriptions and env values', () => {
    const parsed = parseBody(createInstanceSchema, {
      ...valid,
      name: '\n  gpu-a\t',
      description: 'first line\n\tindented',
      envs: { CERT: '-----BEGIN-----\nabc\n-----END-----' },
    });
    expect(parsed.name).toBe('gpu-a');
    expect(parsed.description).toBe('first line\n\tindented');
    expect(parsed.envs.CERT).toContain('\n');
  });
});

describe('nameKey (case-insensitive comparison)', () => {
  it.each([
    ['straße', 'STRASSE'],
    ['Straße', 'strasse'],
    ['ẞ', 'ss'],
    ['İstanbul', 'istanbul'],
    ['İSTANBUL', 'istanbul'],
    ['ΣΊΣΥΦΟΣ', 'σίσυφος'],
    ['ﬁle', 'FILE'],
    ['ｇｐｕ', 'GPU'],
    ['Ꭰ', 'ꭰ'],
    ['Ḯ', 'ḯ'],
  ])('%s = %s', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it('keeps different letters apart (dotless ı is a letter of its own, not a case of i)', () => {
    expect(nameKey('ıstanbul')).not.toBe(nameKey('istanbul'));
    expect(nameKey('gpu-a')).not.toBe(nameKey('gpu-b'));
  });

  it('leaves plain ASCII as toLowerCase would', () => {
    expect(nameKey('Llama-3-70B_gpu.1')).toBe('llama-3-70b_gpu.1');
  });
});

describe('nameSkeleton (look-alike names share one claim)', () => {
  it.each([
    ['Cyrillic а for Latin a', `p${CYRILLIC_A}ypal`, 'paypal'],
    ['Cyrillic capitals', '\u0421\u041E\u0420\u0415', 'cope'],
    ['Greek omicron', 'g\u03BFogle', 'google'],
    ['dotless ı', 'ıstanbul', 'istanbul'],
    ['rn for m', 'rnodel', 'model'],
    ['digit one for l', 'gpu-1', 'gpu-l'],
    ['zero-width space (left by older rules)', 'pay\u200Bpal', 'paypal'],
    ['soft hyphen (left by older rules)', 'pay\u00ADpal', 'paypal'],
    ['variation selector (left by older rules)', 'pay\uFE0Fpal', 'paypal'],
    ['tag characters (left by older rules)', 'paypal\u{E0041}\u{E007F}', 'paypal'],
    ['case and look-alike together', `P${CYRILLIC_A}YPAL`, 'paypal'],
    ['straße and STRASSE', 'straße', 'STRASSE'],
    ['İstanbul and istanbul', 'İstanbul', 'istanbul'],
    ['mathematical letters', '𝐩𝐚𝐲𝐩𝐚𝐥', 'paypal'],
  ])('%s', (_what, a, b) => {
    expect(nameSkeleton(a)).toBe(nameSkeleton(b));
    expect(nameClaimKey(a)).toBe(nameClaimKey(b));
  });

  it('keeps names that look different apart', () => {
    for (const [a, b] of [
      ['gpu-a', 'gpu-b'],
      ['llama-70b', 'llama-7b'],
      ['prod', 'prad'],
      ['model-east', 'model-west'],
    ] as const) {
      expect(nameClaimKey(a)).not.toBe(nameClaimKey(b));
    }
  });

  it('claims the skeleton of the name as written too, where folding loses a look-alike', () => {
    // Cyrillic capitals look like Latin ones; their lower cases (т, в, н) look like small capitals.
    for (const [cyrillic, latin] of [
      ['\u0421\u0410\u0422', 'CAT'],
      ['\u0412\u041E\u0425', 'BOX'],
      ['\u041D\u0415\u0422', 'HET'],
    ] as const) {
      expect(nameClaimKey(cyrillic)).not.toBe(nameClaimKey(latin));
      expect(nameClaimKeys(cyrillic)).toContain(`NAME#${latin}`);
      expect(nameClaimKeys(latin)).toContain(`NAME#${latin}`);
    }
    // A name whose folded and written skeletons agree holds one claim.
    expect(nameClaimKeys('llama-70b')).toEqual([nameClaimKey('llama-70b')]);
    // Prototypes: m → rn, 0 → O.
    expect(nameClaimKeys('Llama-70B')).toEqual(['NAME#llarna-7Ob', 'NAME#Llarna-7OB']);
  });

  it('claims a key DynamoDB accepts however much NFKC grows the name', () => {
    // U+FDFA is one character and 18 under NFKC: 255 of them are ~8 KB of key.
    const key = nameClaimKey('\uFDFA'.repeat(255));
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(2048);
    expect(key).toBe(nameClaimKey('\uFDFA'.repeat(255)));
    expect(key).not.toBe(nameClaimKey('\uFDFA'.repeat(254)));
    const item = toItem(instanceNamed('\uFDFA'.repeat(255)), 'create', { actor: 'a', opId: 'r' });
    expect(Buffer.byteLength(item.name_lower)).toBeLessThanOrEqual(1024);
  });
});

function instanceNamed(name: string): Instance {
  return {
    ...createInstanceSchema.parse({ ...valid, name }),
    id: 7,
    version: 1,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    created_by: 'alice',
    updated_by: 'alice',
  };
}

describe('the claim an instance holds', () => {
  const meta = { actor: 'alice', opId: 'req-1' };

  it('is recorded on every item written', () => {
    const item = toItem(instanceNamed('Modèle-A'), 'create', meta);
    expect(item.name_claim).toBe(nameClaimKey('Modèle-A'));
  });

  it('is the legacy key for an item written before claims were skeletons', () => {
    const {
      name_claim: _dropped,
      name_claim_cased: _cased,
      ...legacy
    } = toItem(instanceNamed('Llama-70B'), 'create', meta);
    const read = toInstance(legacy);
    expect(heldNameClaims(read)).toEqual(['NAME#llama-70b']);
    expect(heldNameClaims(read)).toEqual([legacyNameClaimKey('Llama-70B')]);
    const current = toItem(instanceNamed('Llama-70B'), 'create', meta);
    expect(heldNameClaims(toInstance({ ...current }))).toEqual(nameClaimKeys('Llama-70B'));
  });

  it('is the folded claim alone for an item written before cased claims', () => {
    const { name_claim_cased: _dropped, ...older } = toItem(instanceNamed('BOX'), 'create', meta);
    expect(heldNameClaims(toInstance(older))).toEqual([nameClaimKey('BOX')]);
  });
});

describe('InstanceRepository name claims (mocked DynamoDB)', () => {
  const meta = { actor: 'alice', opId: 'req-1' };

  const legacyItem = (name: string) => {
    const { name_claim: _dropped, ...item } = toItem(instanceNamed(name), 'create', meta);
    return item;
  };

  it('deletes a legacy instance by releasing the claim it really holds', async () => {
    ddb.on(GetCommand).resolves({ Item: legacyItem('Llama-70B') });
    ddb.on(TransactWriteCommand).resolves({});
    await repo.delete(7, meta);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[1]!.Delete!.Key).toEqual({ pk: 'NAME#llama-70b' });
    expect(items[1]!.Delete!.ConditionExpression).toBe('instance_id = :id');
  });

  it('renames a legacy instance: frees its legacy claim, claims the skeleton', async () => {
    ddb.on(GetCommand).resolves({ Item: legacyItem('Llama-70B') });
    ddb.on(TransactWriteCommand).resolves({});
    await repo.update(7, { name: 'qwen-72b' }, meta);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put!.Item!.name_claim).toBe(nameClaimKey('qwen-72b'));
    expect(items[1]!.Delete!.Key).toEqual({ pk: 'NAME#llama-70b' });
    expect(items[2]!.Put!.Item).toEqual({ pk: nameClaimKey('qwen-72b'), instance_id: 7 });
  });

  it('keeps the claims when a rename only fixes a look-alike character', async () => {
    const item = toItem(instanceNamed(`P${CYRILLIC_A}yPal`), 'create', meta);
    ddb.on(GetCommand).resolves({ Item: item });
    ddb.on(PutCommand).resolves({});
    await repo.update(7, { name: 'PayPal' }, meta);
    // One conditional Put of the instance: no claim moved, nothing to conflict with itself.
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item!.name).toBe('PayPal');
    expect(put.Item!.name_claim).toBe(nameClaimKey('paypal'));
    expect(put.Item!.name_claim_cased).toBe('NAME#PayPal');
  });

  it('moves only the cased claim when a rename changes the case', async () => {
    ddb.on(GetCommand).resolves({ Item: toItem(instanceNamed('PayPal'), 'create', meta) });
    ddb.on(TransactWriteCommand).resolves({});
    await repo.update(7, { name: 'PAYPAL' }, meta);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put!.Item).toMatchObject({
      name_claim: 'NAME#paypal',
      name_claim_cased: 'NAME#PAYPAL',
    });
    expect(items.slice(1)).toEqual([
      expect.objectContaining({ Delete: expect.objectContaining({ Key: { pk: 'NAME#PayPal' } }) }),
      expect.objectContaining({
        Put: expect.objectContaining({ Item: { pk: 'NAME#PAYPAL', instance_id: 7 } }),
      }),
    ]);
  });

  it('deletes an instance by releasing every claim it holds', async () => {
    ddb.on(GetCommand).resolves({ Item: toItem(instanceNamed('BOX'), 'create', meta) });
    ddb.on(TransactWriteCommand).resolves({});
    await repo.delete(7, meta);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.slice(1).map((i) => i.Delete?.Key)).toEqual([
      { pk: 'NAME#box' },
      { pk: 'NAME#BOX' },
    ]);
  });

  it('answers 409 naming the instance whose look-alike name holds the claim', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    ddb
      .on(GetCommand, { TableName: 'meta', Key: { pk: nameClaimKey('paypal') } })
      .resolves({ Item: { pk: nameClaimKey('paypal'), instance_id: 12 } });
    ddb
      .on(GetCommand, { TableName: 'instances', Key: { id: 12 } })
      .resolves({ Item: { ...toItem(instanceNamed('paypal'), 'create', meta), id: 12 } });
    const planned = repo.planCreate(
      8,
      createInstanceSchema.parse({ ...valid, name: `p${CYRILLIC_A}ypal` }),
      meta,
    );
    const err = await repo.commit([planned]).then(
      () => undefined,
      (e: unknown) => e as AppError,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err!.status).toBe(409);
    expect(err!.details).toEqual({
      name: `p${CYRILLIC_A}ypal`,
      existing_id: 12,
      existing_name: 'paypal',
    });
    expect(err!.message).toContain('looks the same as "paypal" (instance 12)');
  });
});

describe('InstanceRepository.create under contention', () => {
  it('retries a create that met another transaction on its name claim, then answers 409', async () => {
    const cancelled = (code: string) =>
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: code }],
      });
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 9 } });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict'))
      .rejects(cancelled('ConditionalCheckFailed'));
    const err = await repo
      .create(createInstanceSchema.parse({ ...valid, name: 'busy' }), {
        actor: 'a',
        opId: 'r',
      })
      .then(
        () => undefined,
        (e: unknown) => e as AppError,
      );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(err).toBeInstanceOf(AppError);
    expect(err!.status).toBe(409);
  });
});

describe('nameTakenError', () => {
  it('tells a different spelling of the same name from a look-alike', () => {
    expect(nameTakenError('STRASSE', { id: 3, name: 'straße' }).message).toBe(
      'An instance named "straße" already exists (instance 3; names are compared ignoring case)',
    );
    expect(nameTakenError('gpu-l', { id: 4, name: 'gpu-1' }).message).toBe(
      'The name "gpu-l" looks the same as "gpu-1" (instance 4); names that differ only in look-alike characters are refused',
    );
    expect(nameTakenError('x').details).toEqual({ name: 'x' });
  });
});
