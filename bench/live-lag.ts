/**
 * `npm run bench:live`: how live a subscriber stays while the fleet changes fast. A fresh
 * in-memory local stack (`npm start`'s, stream parallelism 1); `--writers` clients create and
 * then update instances as fast as the API answers; after a warm-up, `--rounds` fresh
 * subscribers to `instances` each listen for `--listen` seconds. Per round: how long the
 * `subscribed` answer took, how many events arrived, and the delay from each change's
 * operation_timestamp to its arrival (p50 / max), beside the write rate of that window.
 *
 *   npm run bench:live
 *   npm run bench:live -- --writers 6 --rounds 4 --listen 6
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { startLocalStack } from '../infra/local/stack.ts';
import { InstancesClient } from '../client/index.ts';
import { percentile, sleep } from './stats.ts';

const { values } = parseArgs({
  options: {
    writers: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '4' },
    listen: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '5' },
  },
});
const writers = Number(values.writers);
const rounds = Number(values.rounds);
const listenMs = Number(values.listen) * 1000;

const stack = await startLocalStack({ port: 0 });
const api = new InstancesClient({ baseUrl: stack.url });
let stop = false;
let writes = 0;
const load = Array.from({ length: writers }, async (_, w) => {
  for (let n = 0; !stop; n++) {
    const inst = await api.createInstance({
      name: `live-${w}-${n}`,
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
    });
    await api.updateInstance(inst.id, { replicas: 2 });
    writes += 2;
  }
});

console.log(`load average ${loadavg()[0]!.toFixed(2)}; ${writers} writers`);
await sleep(Number(values.warmup) * 1000);
console.log('| round | subscribed after | events | delay p50 / max | writes/s |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (let round = 1; round <= rounds; round++) {
  const t0 = Date.now();
  const writesBefore = writes;
  const socket = new WebSocket(stack.wsUrl);
  const delays: number[] = [];
  let ackMs: number | undefined;
  socket.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; operation_timestamp?: string };
    if (m.type === 'subscribed') ackMs = Date.now() - t0;
    else if (m.operation_timestamp) delays.push(Date.now() - Date.parse(m.operation_timestamp));
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ action: 'subscribe', topics: ['instances'] }));
  await sleep(listenMs);
  socket.close();
  const rate = ((writes - writesBefore) * 1000) / (Date.now() - t0);
  console.log(
    `| ${round} | ${ackMs ?? '—'} ms | ${delays.length} | ${delays.length ? `${percentile(delays, 50)} / ${Math.max(...delays)}` : '—'} ms | ${rate.toFixed(0)} |`,
  );
}
stop = true;
await Promise.allSettled(load);
await stack.stop();
