import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { EventPayload, ManagerApproval, ManualSale as ManualSaleInput, PreviewOffers, SaleOutcome, SalePreviewView } from '../../shared/contract';
import { ApiError } from '../api/client';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp, useEvent } from '../common/app-context';
import { errorText } from '../common/error-text';
import { formatEuros, parseEuroAmount, type AmountParse } from '../common/euro-amount';
import { clampRedeem, DEFAULT_TAX_RATE_BP, MANUAL_CATEGORIES, TAX_RATES_BP } from './manual-sale-options';
import { formatRateBp } from './points-text';
import { RedeemPicker } from './RedeemPicker';
import { RewardPicker } from './RewardPicker';
import { ManagerApprovalBox } from './ManagerApprovalBox';
import { VoucherOffer, VoucherOutcome } from './VoucherOffer';
import { useProductCodes } from './product-codes';

interface LineDraft {
  id: number;
  amount: string;
  category: string;
  taxRateBp: number;
  /** The cashier picked the rate: a change of category no longer resets it to the category's own. */
  taxChosen: boolean;
  /** The amount's error shows once the cashier has left the field, not while typing « 12, ». */
  touched: boolean;
  /** A catalogue article (scanned or typed): its category and VAT are the catalogue's, its SKU goes with the sale. */
  product: { sku: string; label: string } | null;
}

const newLine = (id: number, taxRateBp: number): LineDraft => ({ id, amount: '', category: 'grocery', taxRateBp, taxChosen: false, touched: false, product: null });

type ProductMessage = { kind: 'unknown'; code: string } | { kind: 'added'; label: string; cents: number } | { kind: 'failed'; error: unknown };

interface ProgramChoices {
  categories: readonly string[];
  taxRatesBp: readonly number[];
  /** The VAT rate each category starts at (the programme's table). */
  categoryTaxBp: Readonly<Record<string, number>>;
}

/** Past one of the programme's ceilings: the sale needs a manager's approval. */
const isOverLimit = (error: unknown) => error instanceof ApiError && error.code === 'over_limit';
/** The manager's PIN was refused (wrong, locked, none configured): the approval must be given again. */
const isPinRefusal = (error: unknown) => error instanceof ApiError && (error.issues ?? []).some((issue) => issue.path === 'manager.pin');

interface ManualSaleProps {
  memberId: string;
  onCommitted(outcome: SaleOutcome): void;
  /** The confirmation went away (a new sale, or points moved since): another may show. */
  onCleared(): void;
}

/**
 * A sale typed in at the till, for stores whose register has no integration:
 * amounts per category and VAT rate, the points previewed live, an optional
 * redemption, then one commit under a receipt number the core makes up.
 */
export function ManualSale({ memberId, onCommitted, onCleared }: ManualSaleProps) {
  const { api, t, locale } = useApp();
  const headingId = useId();
  const nextId = useRef(2);
  const [lines, setLines] = useState<LineDraft[]>([newLine(1, DEFAULT_TAX_RATE_BP)]);
  const [redeem, setRedeem] = useState(0);
  const [rewardId, setRewardId] = useState<string | null>(null);
  const [rewardLabel, setRewardLabel] = useState<string | null>(null);
  // The member's voucher taken off this ticket (issue 14 item 4).
  const [voucherId, setVoucherId] = useState<string | null>(null);
  const [preview, setPreview] = useState<(SalePreviewView & { offers?: PreviewOffers }) | null>(null);
  const [previewFor, setPreviewFor] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [committing, setCommitting] = useState(false);
  const [commitError, setCommitError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<SaleOutcome | null>(null);
  // A manager's approval, once given, travels with the sale; the core checks the PIN at commit.
  const [approval, setApproval] = useState<ManagerApproval | null>(null);
  const [lastManagerId, setLastManagerId] = useState('');
  // The program's own categories and VAT rates; the shipped defaults until it answers.
  const [program, setProgram] = useState<ProgramChoices>({
    categories: MANUAL_CATEGORIES,
    taxRatesBp: TAX_RATES_BP,
    categoryTaxBp: { grocery: DEFAULT_TAX_RATE_BP },
  });
  const taxOf = (category: string) => program.categoryTaxBp[category] ?? DEFAULT_TAX_RATE_BP;
  useEffect(() => {
    let live = true;
    api.call('ledger.program', {}).then(
      (p) => {
        if (!live) return;
        const categoryTaxBp = Object.fromEntries(p.categories.map((c) => [c.slug, c.taxRateBp]));
        setProgram({ categories: p.categories.map((c) => c.slug), taxRatesBp: p.taxRatesBp, categoryTaxBp });
        // Lines typed before the programme answered take its rate, unless the cashier chose one.
        setLines((before) => before.map((l) => (l.taxChosen ? l : { ...l, taxRateBp: categoryTaxBp[l.category] ?? l.taxRateBp })));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  const categoryLabel = (slug: string) => {
    const key = `cashier.category.${slug}`;
    const text = t(key);
    return text === key ? slug : text;
  };
  const firstAmount = useRef<HTMLInputElement>(null);

  const parsed: AmountParse[] = lines.map((line) => parseEuroAmount(line.amount));
  const sale: ManualSaleInput | null = parsed.every((p) => p.ok)
    ? {
        memberId,
        lines: lines.map((line, i) => ({
          category: line.category,
          taxRateBp: line.taxRateBp,
          amountCents: (parsed[i] as { cents: number }).cents,
          ...(line.product ? { sku: line.product.sku } : {}),
        })),
        redeemPoints: redeem,
        ...(rewardId ? { rewardId } : {}),
        ...(voucherId ? { voucherId } : {}),
        ...(approval ? { manager: approval } : {}),
      }
    : null;
  const saleKey = sale ? JSON.stringify(sale) : null;
  const totalCents = sale ? sale.lines.reduce((sum, line) => sum + line.amountCents, 0) : null;
  const fresh = preview !== null && previewFor === saleKey;

  // Preview a moment after the typing stops; a reply to an older basket is dropped.
  const asked = useRef(0);
  useEffect(() => {
    if (!saleKey || outcome) return;
    const mine = ++asked.current;
    const request = JSON.parse(saleKey) as ManualSaleInput;
    const timer = setTimeout(() => {
      void (async () => {
        try {
          const value = await api.call('ledger.manualPreview', request);
          if (mine !== asked.current) return;
          setPreview(value);
          setPreviewFor(saleKey);
          setPreviewError(null);
          const fitted = clampRedeem(redeem, value.options);
          if (fitted !== redeem) setRedeem(fitted);
        } catch (failure) {
          if (mine !== asked.current) return;
          // Too many points for a smaller basket: ask what it allows now and fit the choice to it.
          if ((request.redeemPoints ?? 0) > 0) {
            try {
              const plain = await api.call('ledger.manualPreview', { ...request, redeemPoints: 0 });
              if (mine !== asked.current) return;
              const fitted = clampRedeem(redeem, plain.options);
              if (fitted !== redeem) {
                setRedeem(fitted);
                return;
              }
            } catch {
              // The first failure is the one worth showing.
            }
          }
          setPreviewError(failure);
          setPreviewFor(null);
        }
      })();
    }, 200);
    return () => clearTimeout(timer);
    // `redeem` is part of saleKey, so the closure always sees the one this basket was asked with.
  }, [api, saleKey, outcome]);

  const updateLine = (id: number, change: Partial<LineDraft>) => setLines((before) => before.map((l) => (l.id === id ? { ...l, ...change } : l)));

  // An article by barcode or SKU, from the field below or a scanner (product-codes.ts): its line, priced by the catalogue.
  const [productCode, setProductCode] = useState('');
  const [productMessage, setProductMessage] = useState<ProductMessage | null>(null);
  // Without a catalogue from HQ the sale is typed by amounts, as before: no article field to step over.
  const [hasCatalogue, setHasCatalogue] = useState(false);
  useEffect(() => {
    let live = true;
    api.call('product.catalogue', {}).then(
      ({ products }) => live && setHasCatalogue(products > 0),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  const finished = outcome !== null;
  const addProduct = useCallback(
    async (raw: string) => {
      const code = raw.trim();
      if (code === '') return;
      try {
        const product = await api.call('product.lookup', { code });
        if (!product) {
          setProductMessage({ kind: 'unknown', code });
          return;
        }
        if (finished) restart();
        const amount = (product.priceCents / 100).toFixed(2).replace('.', locale === 'fr' ? ',' : '.');
        const line: LineDraft = {
          id: nextId.current++,
          amount,
          category: product.category,
          taxRateBp: product.vatRateBp,
          taxChosen: true,
          touched: true,
          product: { sku: product.sku, label: product.label },
        };
        // The empty line a sale starts with gives way to the first article.
        setLines((before) => [...before.filter((l) => l.product !== null || l.amount.trim() !== ''), line]);
        setProductCode('');
        setProductMessage({ kind: 'added', label: product.label, cents: product.priceCents });
      } catch (error) {
        setProductMessage({ kind: 'failed', error });
      }
    },
    // restart only sets state.
    [api, locale, finished],
  );
  useProductCodes((code) => void addProduct(code));

  async function commit() {
    setLines((before) => before.map((l) => ({ ...l, touched: true })));
    if (!sale || !fresh) return;
    setCommitting(true);
    setCommitError(null);
    try {
      const result = await api.call('ledger.manualCommit', sale);
      setRewardLabel(options?.rewards.find((r) => r.rewardId === rewardId)?.label ?? null);
      setOutcome(result);
      onCommitted(result);
    } catch (failure) {
      setCommitError(failure);
      if (isPinRefusal(failure)) setApproval(null);
    } finally {
      setCommitting(false);
    }
  }

  function restart() {
    setLines([newLine(nextId.current++, taxOf('grocery'))]);
    setRedeem(0);
    setRewardId(null);
    setVoucherId(null);
    setPreview(null);
    setPreviewFor(null);
    setPreviewError(null);
    setCommitError(null);
    setOutcome(null);
    setApproval(null);
    setLastManagerId('');
    onCleared();
  }

  // Points moved since this sale (a refund, the till, HQ): its « Nouveau solde » is no longer the balance.
  const shownReceipt = outcome?.receipt ?? null;
  const onMoved = useCallback(
    (moved: EventPayload<'points.moved'>) => {
      const itself = moved.reason === 'sale' && moved.receipt === shownReceipt;
      if (moved.memberId === memberId && shownReceipt !== null && !itself) restart();
    },
    // restart only sets state: the member and the receipt shown decide.
    [memberId, shownReceipt],
  );
  useEvent('points.moved', onMoved);

  useEffect(() => {
    if (!outcome) firstAmount.current?.focus();
  }, [outcome]);

  const pts = (n: number) => t('cashier.points.value', { points: formatPoints(locale, n) });
  const options = useMemo(() => preview?.options ?? null, [preview]);

  if (outcome) {
    return (
      <section className="manual-sale manual-done" aria-labelledby={headingId} data-testid="cashier-manual-result">
        <h3 id={headingId} className="section-title" tabIndex={-1}>
          {t('cashier.manual.done', { receipt: outcome.receipt })}
        </h3>
        <ul className="manual-done-list">
          <li data-testid="cashier-manual-result-earned">{t('cashier.manual.done_earned', { points: formatPoints(locale, outcome.pointsEarned) })}</li>
          {rewardLabel && <li data-testid="cashier-manual-result-reward">{t('cashier.move.reward', { label: rewardLabel })}</li>}
          {outcome.pointsRedeemed > 0 && (
            <li data-testid="cashier-manual-result-redeemed">
              {t('cashier.manual.done_redeemed', {
                points: formatPoints(locale, outcome.pointsRedeemed),
                amount: formatEuros(locale, outcome.redemption.discountCents),
              })}
            </li>
          )}
          <VoucherOutcome vouchers={outcome.vouchers} />
          <li className="manual-done-balance" data-testid="cashier-manual-result-balance">
            {t('cashier.manual.done_balance', { points: formatPoints(locale, outcome.balanceAfter) })}
          </li>
        </ul>
        <div className="panel-actions">
          <button type="button" onClick={restart}>
            {t('cashier.manual.new_sale')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="manual-sale" aria-labelledby={headingId} data-testid="cashier-manual-sale">
      <h3 id={headingId} className="section-title">
        {t('cashier.manual.title')}
      </h3>
      <p className="muted manual-hint">{t('cashier.manual.hint')}</p>
      {hasCatalogue && (
        <form
          className="manual-product"
          data-testid="cashier-manual-product"
          onSubmit={(e) => {
            e.preventDefault();
            void addProduct(productCode);
          }}
        >
          <label className="manual-field">
            <span>{t('cashier.manual.product')}</span>
            <input
              autoComplete="off"
              spellCheck={false}
              value={productCode}
              maxLength={64}
              onChange={(e) => setProductCode(e.target.value)}
              data-testid="cashier-manual-product-code"
            />
          </label>
          <button type="submit">{t('cashier.manual.product_add')}</button>
        </form>
      )}
      <div aria-live="polite" data-testid="cashier-manual-product-message">
        {productMessage?.kind === 'unknown' && (
          <p className="action-error manual-product-unknown" role="alert">
            {t('cashier.manual.product_unknown', { code: productMessage.code })}
          </p>
        )}
        {productMessage?.kind === 'added' && (
          <p className="muted manual-product-added">{t('cashier.manual.product_added', { label: productMessage.label, amount: formatEuros(locale, productMessage.cents) })}</p>
        )}
        {productMessage?.kind === 'failed' && (
          <p className="action-error" role="alert">
            {errorText(productMessage.error, t).join(' ')}
          </p>
        )}
      </div>
      <ol className="manual-lines" aria-label={t('cashier.manual.lines')}>
        {lines.map((line, i) => {
          const result = parsed[i]!;
          const showError = line.touched && !result.ok;
          const errorId = `manual-amount-error-${line.id}`;
          return (
            <li
              key={line.id}
              className={line.product ? 'manual-line manual-product-line' : 'manual-line'}
              aria-label={t('cashier.manual.line', { n: i + 1 })}
              data-testid={line.product ? 'cashier-manual-product-line' : undefined}
              data-sku={line.product?.sku}
            >
              {line.product && <p className="manual-product-label">{line.product.label}</p>}
              <label className="manual-field manual-amount">
                <span>{t('cashier.manual.amount')}</span>
                <input
                  ref={i === 0 ? firstAmount : undefined}
                  inputMode="decimal"
                  autoComplete="off"
                  value={line.amount}
                  aria-invalid={showError}
                  aria-describedby={showError ? errorId : undefined}
                  onChange={(e) => updateLine(line.id, { amount: e.target.value })}
                  onBlur={() => updateLine(line.id, { touched: true })}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') void commit();
                  }}
                />
              </label>
              {line.product ? (
                <>
                  <p className="manual-field manual-fixed">
                    <span>{t('cashier.manual.product_category')}</span>
                    <span className="manual-fixed-value">{categoryLabel(line.category)}</span>
                  </p>
                  <p className="manual-field manual-fixed manual-tax">
                    <span>{t('cashier.manual.tax')}</span>
                    <span className="manual-fixed-value">{t('cashier.manual.tax_rate', { rate: formatRateBp(locale, line.taxRateBp) })}</span>
                  </p>
                </>
              ) : (
                <>
                  <label className="manual-field">
                    <span>{t('cashier.manual.category')}</span>
                    <select
                      value={line.category}
                      onChange={(e) => updateLine(line.id, line.taxChosen ? { category: e.target.value } : { category: e.target.value, taxRateBp: taxOf(e.target.value) })}
                    >
                      {program.categories.map((c) => (
                        <option key={c} value={c}>
                          {categoryLabel(c)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="manual-field manual-tax">
                    <span>{t('cashier.manual.tax')}</span>
                    <select value={line.taxRateBp} onChange={(e) => updateLine(line.id, { taxRateBp: Number(e.target.value), taxChosen: true })}>
                      {program.taxRatesBp.map((bp) => (
                        <option key={bp} value={bp}>
                          {t('cashier.manual.tax_rate', { rate: formatRateBp(locale, bp) })}
                        </option>
                      ))}
                    </select>
                  </label>
                </>
              )}
              {lines.length > 1 && (
                <button
                  type="button"
                  className="manual-remove"
                  aria-label={t('cashier.manual.remove_line', { n: i + 1 })}
                  onClick={() => setLines((before) => before.filter((l) => l.id !== line.id))}
                >
                  <span aria-hidden="true">✕</span>
                </button>
              )}
              {showError && (
                <p id={errorId} className="field-error manual-error">
                  {t(`cashier.manual.amount.${result.problem}`)}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      <div className="manual-line-actions">
        <button type="button" onClick={() => setLines((before) => [...before, newLine(nextId.current++, taxOf('grocery'))])}>
          {t('cashier.manual.add_line')}
        </button>
      </div>

      {/* The member's voucher (issue 14 item 4), where the cashier looks before the figures. */}
      {sale && preview?.voucher && (preview.voucher.offered || preview.voucher.applied || preview.voucher.next) && (
        <VoucherOffer voucher={preview.voucher} applied={voucherId !== null} onChange={(use) => setVoucherId(use ? (preview.voucher?.offered?.voucherId ?? null) : null)} />
      )}
      <div className="manual-preview" aria-live="polite" aria-busy={sale !== null && !fresh} data-testid="cashier-manual-preview">
        <h4>{t('cashier.manual.preview')}</h4>
        {!sale && <p className="muted">{t('cashier.manual.incomplete')}</p>}
        {sale && !preview && previewError === null && <p className="muted">{t('cashier.manual.computing')}</p>}
        {sale && preview && (
          <dl className={`manual-figures ${fresh ? '' : 'stale'}`}>
            <div>
              <dt>{t('cashier.manual.total')}</dt>
              <dd data-testid="cashier-manual-total">{totalCents !== null ? formatEuros(locale, totalCents) : ''}</dd>
            </div>
            <div className="manual-earned">
              <dt>{t('cashier.manual.earned')}</dt>
              <dd data-testid="cashier-manual-earned">+{pts(preview.pointsEarned)}</dd>
            </div>
            {preview.redemption.points > 0 && (
              <div>
                <dt>{t('cashier.redeem.discount')}</dt>
                <dd data-testid="cashier-manual-discount">−{formatEuros(locale, preview.redemption.discountCents)}</dd>
              </div>
            )}
            {preview.voucher?.applied && (
              <div>
                <dt>{t('voucher.receipt.used')}</dt>
                <dd data-testid="cashier-manual-voucher">−{formatEuros(locale, preview.voucher.applied.cents)}</dd>
              </div>
            )}
            <div>
              <dt>{t('cashier.manual.balance_after')}</dt>
              <dd data-testid="cashier-manual-balance-after">{pts(preview.balanceAfter)}</dd>
            </div>
          </dl>
        )}
        {sale && preview && preview.promotions.length > 0 && (
          <p className="manual-promotions">{t('cashier.manual.promotions', { names: preview.promotions.join(', ') })}</p>
        )}
        {/* Offers from the basket (issue 16 item 3): what the customer screen shows, and what the cashier may suggest. */}
        {sale && preview?.offers?.hint && (
          <p className="manual-promotions" data-testid="cashier-offer-hint" data-kind={preview.offers.hint.kind}>
            {t('cashier.offers.hint')} — {preview.offers.hint.text[locale]}
          </p>
        )}
        {previewError !== null && (
          <p className="action-error" role="alert">
            {errorText(previewError, t).join(' ')}
          </p>
        )}
      </div>

      {sale && options && options.rewards.length > 0 && <RewardPicker rewards={options.rewards} value={rewardId} onChange={setRewardId} />}
      {sale && options && (
        <RedeemPicker options={options} available={preview?.available ?? 0} value={redeem} discountCents={fresh ? (preview?.redemption.discountCents ?? 0) : null} onChange={setRedeem} />
      )}

      {approval === null && (isOverLimit(previewError) || isPinRefusal(commitError)) && (
        <ManagerApprovalBox
          testId="cashier-manual-approval"
          hint={t('cashier.manual.approval.hint')}
          applyLabel={t('cashier.manual.approval.apply')}
          lastManagerId={lastManagerId}
          onApprove={(given) => {
            setApproval(given);
            setLastManagerId(given.id);
            setCommitError(null);
          }}
        />
      )}
      {approval !== null && (
        <p className="manual-approved" data-testid="cashier-manual-approved">
          {t('cashier.manual.approval.applied', { manager: approval.id })}
        </p>
      )}

      {commitError !== null && (
        <div className="action-error" role="alert">
          {errorText(commitError, t).map((text) => (
            <p key={text}>{text}</p>
          ))}
        </div>
      )}
      <div className="panel-actions">
        <button type="button" className="primary" disabled={committing || !sale || !fresh} onClick={() => void commit()}>
          {committing ? t('cashier.manual.committing') : t('cashier.manual.commit')}
        </button>
      </div>
    </section>
  );
}
