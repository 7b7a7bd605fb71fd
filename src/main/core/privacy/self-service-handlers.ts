import type { Locale } from '../../../shared/contract';
import type { PrinterDevice } from '../devices/printer-device';
import type { Handlers } from '../rpc/dispatch';
import { printNotice } from './self-service-notice';
import type { SelfService } from './self-service';

export type SelfServiceHandlers = Pick<
  Handlers,
  | 'privacy.selfStart'
  | 'privacy.selfVerify'
  | 'privacy.selfView'
  | 'privacy.selfRectify'
  | 'privacy.selfExport'
  | 'privacy.selfErase'
  | 'privacy.selfEnd'
  | 'privacy.printNotice'
>;

/** The IPC side of self-service privacy (issue 17 items 2 and 7); who may call what is in METHOD_ROLES. */
export function selfServiceHandlers(o: { self: SelfService; printers(): readonly PrinterDevice[]; locale: Locale; noticeUrl: string; now(): number }): SelfServiceHandlers {
  return {
    'privacy.selfStart': (ctx, { memberId, channel }) => o.self.start(ctx.role, memberId, channel),
    'privacy.selfVerify': (_ctx, { code }) => o.self.verify(code),
    'privacy.selfView': () => o.self.view(),
    'privacy.selfRectify': (_ctx, input) => o.self.rectify(input),
    'privacy.selfExport': () => o.self.exportLink(),
    'privacy.selfErase': (_ctx, { confirmedForfeit }) => o.self.erase(confirmedForfeit),
    'privacy.selfEnd': () => {
      o.self.end();
      return { ended: true as const };
    },
    'privacy.printNotice': () => ({ printed: printNotice(o.printers(), o.locale, o.noticeUrl, o.now()) }),
  };
}
