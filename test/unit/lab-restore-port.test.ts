import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { expect } from 'chai';
import { portOutsideEphemeralRange } from '../../lab/database.js';

describe("the lab's port for a restored cluster", () => {
  it('is free and below the range the kernel gives outgoing connections, so no probe connection can take it before the restore', async () => {
    const lowestEphemeral = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (let i = 0; i < 5; i++) {
      const port = await portOutsideEphemeralRange();
      expect(port).to.be.below(lowestEphemeral).and.at.least(10_000);
      const server = createServer().listen(port, '127.0.0.1');
      await once(server, 'listening');
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
