import { describe, expect, it } from 'vitest';
import { EscPosPrinterEngine, RETAINED_PAGES } from '../../src/main/core/devices/simulators/printer-simulator';

const GS_V_FULL_CUT = [0x1d, 0x56, 0x00];

describe('the printer simulator in a kiosk left running', () => {
  it('keeps the latest pages only, however many receipts a day prints', () => {
    const engine = new EscPosPrinterEngine();
    const receipts = RETAINED_PAGES + 50;
    for (let i = 1; i <= receipts; i++) engine.receive(Uint8Array.from([...Buffer.from(`Ticket ${i}\n`, 'latin1'), ...GS_V_FULL_CUT]));
    expect(engine.printed).toHaveLength(RETAINED_PAGES);
    expect(engine.printed.at(-1)!.text).toContain(`Ticket ${receipts}`);
    expect(engine.printed[0]!.text).toContain(`Ticket ${receipts - RETAINED_PAGES + 1}`);
  });
});
