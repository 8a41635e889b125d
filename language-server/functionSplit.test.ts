import * as assert from 'node:assert/strict';
import { SPLIT_NONE, SPLIT_OTHERS, type PackedFileCosts } from '../common/protocol/agentProtocol';
import { unpackFileCosts } from './annotations';

describe("a function's split across routes, unpacked", () => {
  const values = ['/a', '/b', '/c', '/d'];
  /** One file's costs with one function, `handle` at line 10, and its split parts: [value index, total]. */
  const file = (name: string, parts: [number, number][], others?: [number, number]): PackedFileCosts => {
    const total = parts.reduce((sum, [, t]) => sum + t, 0) + (others?.[1] ?? 0);
    return {
      file: name,
      functionNames: ['handle', 'boot'],
      functions: [10, 0, total, 0, total, 30, 5, 5, 1, 1],
      lines: [],
      split: [...parts.flatMap(([value, t]) => [0, value, t, t, 1]), ...(others ? [0, SPLIT_OTHERS, others[1], others[1], others[0]] : [])],
    };
  };

  it('keeps the split with the function it belongs to, and none on a function without one', () => {
    const table = unpackFileCosts([file('/app/s.js', [[0, 60], [SPLIT_NONE, 30], [1, 10]])], { key: 'http_route', values });
    const handle = table.functions.find(f => f.name === 'handle')!;
    assert.deepEqual(handle.split, {
      key: 'http_route',
      parts: [{ value: '/a', total: 60, samples: 60 }, { value: null, total: 30, samples: 30 }, { value: '/b', total: 10, samples: 10 }],
      others: { values: 0, total: 0, samples: 0 },
    });
    assert.equal(table.functions.find(f => f.name === 'boot')!.split, undefined);
    assert.equal(unpackFileCosts([file('/app/s.js', [[0, 60]])]).functions[0]!.split, undefined, 'no split without the answer\'s values');
  });

  it('merges one document\'s several profile files: values summed, the largest three kept, the rest folded, adding up', () => {
    const table = unpackFileCosts(
      [file('/ci/app/s.js', [[0, 50], [1, 40], [2, 5]], [2, 7]), file('/home/app/s.js', [[2, 30], [3, 20], [SPLIT_NONE, 3]])],
      { key: 'http_route', values },
    );
    const handle = table.functions.find(f => f.name === 'handle')!;
    assert.deepEqual(handle.split!.parts.map(p => [p.value, p.total]), [['/a', 50], ['/b', 40], ['/c', 35]]);
    assert.deepEqual(handle.split!.others, { values: 4, total: 30, samples: 30 });
    const parts = handle.split!.parts.reduce((sum, p) => sum + p.total, 0) + handle.split!.others.total;
    assert.equal(parts, handle.total);
  });
});
