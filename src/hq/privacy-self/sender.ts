import type { HqContext } from '../context';
import { newId } from '../context';

/** One message to a customer: a one-time code today. */
export interface PrivacyMessage {
  customerId: string;
  channel: 'email' | 'sms';
  /** The full address or E.164 number HQ holds. */
  to: string;
  subject: string;
  body: string;
}

/**
 * How HQ reaches a customer. Pluggable: a deployment puts its email and SMS
 * gateways behind this (usePrivacySender); until it does, messages go to the
 * development outbox, a table an operator or a test reads, so nothing ever
 * leaves HQ by accident from a development machine.
 */
export interface PrivacySender {
  send(message: PrivacyMessage): Promise<void>;
}

/** The development outbox: written to privacy_outbox and logged without the code or the address. */
export function outboxSender(ctx: HqContext): PrivacySender {
  return {
    async send(message) {
      await ctx.sql.query('INSERT INTO privacy_outbox (message_id, customer_id, at, channel, destination, body) VALUES ($1, $2, $3, $4, $5, $6)', [
        newId(ctx),
        message.customerId,
        ctx.clock.now(),
        message.channel,
        message.to,
        `${message.subject}\n\n${message.body}`,
      ]);
      ctx.logger.info('privacy message written to the development outbox', { channel: message.channel });
    },
  };
}

const senders = new WeakMap<HqContext, PrivacySender>();

/** Installs the gateway HQ sends codes through (a deployment's, or a test's). */
export function usePrivacySender(ctx: HqContext, sender: PrivacySender): void {
  senders.set(ctx, sender);
}

export function privacySenderOf(ctx: HqContext): PrivacySender {
  let sender = senders.get(ctx);
  if (!sender) {
    sender = outboxSender(ctx);
    senders.set(ctx, sender);
  }
  return sender;
}

/** The messages in the development outbox for a customer, newest first (tests, an operator in development). */
export async function outboxOf(ctx: HqContext, customerId: string): Promise<Array<{ channel: string; destination: string; body: string; at: number }>> {
  return ctx.sql.query('SELECT channel, destination, body, at FROM privacy_outbox WHERE customer_id = $1 ORDER BY at DESC, message_id DESC', [customerId]);
}
