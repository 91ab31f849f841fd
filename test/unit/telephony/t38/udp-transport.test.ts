/**
 * UdpTransport over loopback: a transport without a remote replies to the first sender and
 * sends what it held until then; one with a remote ignores other sources.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { UdpTransport, parseEndpoint } from '../../../../telephony/udp/udp-transport.ts';

function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('UdpTransport', () => {
  it('without a remote, holds sends, then replies to the source of the first datagram', async () => {
    const answerer = await UdpTransport.open({ localPort: 0, localAddress: '127.0.0.1' });
    const got: string[] = [];
    answerer.onDatagram((d) => got.push(Buffer.from(d).toString()));
    answerer.send(Buffer.from('held-1'));
    answerer.send(Buffer.from('held-2'));

    const caller = createSocket('udp4');
    const replies: string[] = [];
    caller.on('message', (m) => replies.push(m.toString()));
    await new Promise<void>((r) => caller.bind(0, '127.0.0.1', () => r()));
    caller.send('hello', answerer.localPort, '127.0.0.1');
    await waitFor(() => got.length === 1 && replies.length === 2);
    assert.deepEqual(got, ['hello']);
    assert.deepEqual(replies, ['held-1', 'held-2']);
    assert.equal(answerer.remote?.port, caller.address().port);
    answerer.send(Buffer.from('after'));
    await waitFor(() => replies.length === 3);
    assert.equal(replies[2], 'after');
    await answerer.close();
    caller.close();
  });

  it('with a remote, accepts only that source', async () => {
    const peer = createSocket('udp4');
    const stranger = createSocket('udp4');
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', () => r()));
    const t = await UdpTransport.open({ localPort: 0, localAddress: '127.0.0.1', remote: { host: '127.0.0.1', port: peer.address().port } });
    const got: string[] = [];
    t.onDatagram((d) => got.push(Buffer.from(d).toString()));
    await waitFor(() => t.remote !== undefined);
    await new Promise((r) => setTimeout(r, 20));
    stranger.send('not you', t.localPort, '127.0.0.1');
    peer.send('peer', t.localPort, '127.0.0.1');
    await waitFor(() => got.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, ['peer']);
    await t.close();
    peer.close();
    stranger.close();
  });

  it('parses HOST:PORT', () => {
    assert.deepEqual(parseEndpoint('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
    assert.deepEqual(parseEndpoint('gw.example:4000'), { host: 'gw.example', port: 4000 });
    assert.equal(parseEndpoint('127.0.0.1'), undefined);
    assert.equal(parseEndpoint('h:0'), undefined);
    assert.equal(parseEndpoint('h:70000'), undefined);
  });
});
