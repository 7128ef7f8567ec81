// From compatibility date 2026-02-24 (delete_all_deletes_alarm), deleteAll() deletes the alarm
// too, as the storage API documents.
import { assertEqual } from "assert.js";
import { DurableObject } from "cloudflare:workers";

export class Wiped extends DurableObject {
  async wipe() {
    await this.ctx.storage.setAlarm(Date.now() + 60000);
    await this.ctx.storage.deleteAll();
    return await this.ctx.storage.getAlarm();
  }
}

export const deleteAllDeletesTheAlarm = {
  async test(ctrl, env) {
    assertEqual(await env.WIPED.getByName("w").wipe(), null);
  },
};
