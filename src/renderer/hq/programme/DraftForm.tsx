import { useContext } from 'react';
import { Field, Group, ProblemList, ProblemsContext, TextField } from './fields';
import { centsOf, euros, fieldId, getAt, listOf, listText, nullableNumber, numberOrText, pathOf, textOf, type Draft } from './model';
import type { Translate } from '../text';

/**
 * The form over the common parts of the draft: earn rate, redemption,
 * rewards, promotions, tiers, cadence. Everything else is in the JSON view.
 * `formFields` lists the paths the form shows, so each problem HQ finds is
 * placed under its field, or listed with the JSON when no field has it.
 */
type Key = string | number;
type Edit = (keys: Key[], value: unknown) => void;

const items = (draft: Draft, key: string): unknown[] => {
  const v = getAt(draft, key.split('.'));
  return Array.isArray(v) ? v : [];
};

const REWARD_FIELDS = ['id', 'label', 'points', 'sku'];
const PROMOTION_FIELDS = ['id', 'label', 'multiplierPercent', 'weekdays', 'from', 'to', 'validFrom', 'validUntil', 'categories'];
const TIER_FIELDS = ['id', 'label.fr', 'label.en', 'share'];
const SIMPLE_FIELDS = [
  'earn.points',
  'earn.perCents',
  'earn.base',
  'redemption.minimumPoints',
  'cadence.voucherCents',
  'cadence.voucherEveryVisits',
  'cadence.voucherEachPoints',
  'cadence.validityDays',
  'cadence.tiers',
  'tiers.newMemberTier',
];
const GROUPS = ['earn', 'redemption', 'rewards', 'promotions', 'tiers.tiers', 'cadence'];

export function formFields(draft: Draft): Set<string> {
  const paths = new Set<string>(['version', 'effectiveFrom', ...SIMPLE_FIELDS, ...GROUPS]);
  const each = (list: string, fields: string[]) =>
    items(draft, list).forEach((_, i) => {
      paths.add(`${list}.${i}`);
      for (const f of fields) paths.add(`${list}.${i}.${f}`);
    });
  each('rewards', REWARD_FIELDS);
  each('promotions', PROMOTION_FIELDS);
  each('tiers.tiers', TIER_FIELDS);
  return paths;
}

const DEFAULT_REWARD = { id: '', label: '', points: 100, sku: '' };
const DEFAULT_PROMOTION = { id: '', label: '', multiplierPercent: 200, weekdays: [6], from: '09:00', to: '12:00', validFrom: null, validUntil: null, categories: null };

function NumberInput({ path, label, value, onChange, hint }: { path: string; label: string; value: unknown; onChange: (v: unknown) => void; hint?: string }) {
  return <TextField path={path} label={label} hint={hint} inputMode="numeric" value={textOf(value)} onChange={(text) => onChange(numberOrText(text))} />;
}

function Weekdays({ t, path, value, onChange }: { t: Translate; path: string; value: unknown; onChange: (days: number[]) => void }) {
  const { at } = useContext(ProblemsContext);
  const problems = at(path);
  const id = fieldId(path);
  const days = (Array.isArray(value) ? (value as unknown[]) : []).filter((x): x is number => typeof x === 'number');
  return (
    <fieldset className="pg-days" id={id} aria-describedby={problems.length > 0 ? `${id}-problems` : undefined}>
      <legend>{t('pg.f.weekdays')}</legend>
      {[1, 2, 3, 4, 5, 6, 7].map((d) => (
        <label key={d}>
          <input type="checkbox" checked={days.includes(d)} onChange={(e) => onChange(e.target.checked ? [...days, d].sort() : days.filter((x) => x !== d))} />
          {t(`pg.day.${d}`)}
        </label>
      ))}
      <ProblemList id={`${id}-problems`} problems={problems} />
    </fieldset>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="button-quiet" onClick={onClick}>
      {label}
    </button>
  );
}

export function DraftForm({ t, draft, edit }: { t: Translate; draft: Draft; edit: Edit }) {
  const get = (path: string) => getAt(draft, path.split('.'));
  const rewards = items(draft, 'rewards');
  const promotions = items(draft, 'promotions');
  const tiers = items(draft, 'tiers.tiers');
  const nameOf = (item: unknown, i: number) => textOf(getAt(item, ['label'])) || textOf(getAt(item, ['id'])) || String(i + 1);
  return (
    <div className="pg-form">
      <section aria-labelledby="pg-earn-h">
        <h3 id="pg-earn-h">{t('pg.s.earn')}</h3>
        <Group path="earn" legend={t('pg.g.earn')}>
          <NumberInput path="earn.points" label={t('pg.f.earn_points')} value={get('earn.points')} onChange={(v) => edit(['earn', 'points'], v)} />
          <TextField path="earn.perCents" label={t('pg.f.earn_per')} hint={t('pg.h.euros')} inputMode="decimal" value={euros(get('earn.perCents'))} onChange={(text) => edit(['earn', 'perCents'], centsOf(text))} />
          <Field path="earn.base" label={t('pg.f.earn_base')}>
            {(control) => (
              <select {...control} value={textOf(get('earn.base'))} onChange={(e) => edit(['earn', 'base'], e.target.value)}>
                <option value="tax_excluded">{t('pg.base.tax_excluded')}</option>
                <option value="tax_included">{t('pg.base.tax_included')}</option>
              </select>
            )}
          </Field>
        </Group>
        <Group path="redemption" legend={t('pg.g.redemption')}>
          <NumberInput path="redemption.minimumPoints" label={t('pg.f.min_points')} value={get('redemption.minimumPoints')} onChange={(v) => edit(['redemption', 'minimumPoints'], v)} />
        </Group>
      </section>

      <section aria-labelledby="pg-rewards-h">
        <h3 id="pg-rewards-h">{t('pg.s.rewards')}</h3>
        <Group path="rewards" legend={t('pg.g.rewards', { n: rewards.length })}>
          {rewards.map((r, i) => (
            <Group
              key={i}
              path={pathOf('rewards', i)}
              legend={t('pg.g.reward', { n: i + 1, name: nameOf(r, i) })}
              actions={<RemoveButton label={t('pg.remove_reward', { name: nameOf(r, i) })} onClick={() => edit(['rewards'], rewards.filter((_, k) => k !== i))} />}
            >
              <TextField path={pathOf('rewards', i, 'label')} label={t('pg.f.label')} value={textOf(getAt(r, ['label']))} onChange={(v) => edit(['rewards', i, 'label'], v)} />
              <NumberInput path={pathOf('rewards', i, 'points')} label={t('pg.f.points')} value={getAt(r, ['points'])} onChange={(v) => edit(['rewards', i, 'points'], v)} />
              <TextField path={pathOf('rewards', i, 'sku')} label={t('pg.f.sku')} value={textOf(getAt(r, ['sku']))} onChange={(v) => edit(['rewards', i, 'sku'], v)} />
              <TextField path={pathOf('rewards', i, 'id')} label={t('pg.f.id')} value={textOf(getAt(r, ['id']))} onChange={(v) => edit(['rewards', i, 'id'], v)} />
            </Group>
          ))}
        </Group>
        <button type="button" className="button-quiet" onClick={() => edit(['rewards'], [...rewards, { ...DEFAULT_REWARD, id: `recompense-${rewards.length + 1}` }])}>
          {t('pg.add_reward')}
        </button>
      </section>

      <section aria-labelledby="pg-promotions-h">
        <h3 id="pg-promotions-h">{t('pg.s.promotions')}</h3>
        <Group path="promotions" legend={t('pg.g.promotions', { n: promotions.length })}>
          {promotions.map((p, i) => {
            const at = (f: string) => pathOf('promotions', i, f);
            const v = (f: string) => getAt(p, [f]);
            return (
              <Group
                key={i}
                path={pathOf('promotions', i)}
                legend={t('pg.g.promotion', { n: i + 1, name: nameOf(p, i) })}
                actions={<RemoveButton label={t('pg.remove_promotion', { name: nameOf(p, i) })} onClick={() => edit(['promotions'], promotions.filter((_, k) => k !== i))} />}
              >
                <TextField path={at('label')} label={t('pg.f.label')} wide value={textOf(v('label'))} onChange={(x) => edit(['promotions', i, 'label'], x)} />
                <TextField path={at('id')} label={t('pg.f.id')} value={textOf(v('id'))} onChange={(x) => edit(['promotions', i, 'id'], x)} />
                <NumberInput path={at('multiplierPercent')} label={t('pg.f.multiplier')} hint={t('pg.h.multiplier')} value={v('multiplierPercent')} onChange={(x) => edit(['promotions', i, 'multiplierPercent'], x)} />
                <Weekdays t={t} path={at('weekdays')} value={v('weekdays')} onChange={(days) => edit(['promotions', i, 'weekdays'], days)} />
                <TextField path={at('from')} label={t('pg.f.from')} type="time" value={textOf(v('from'))} onChange={(x) => edit(['promotions', i, 'from'], x)} />
                <TextField path={at('to')} label={t('pg.f.to')} type="time" value={textOf(v('to'))} onChange={(x) => edit(['promotions', i, 'to'], x)} />
                <TextField path={at('validFrom')} label={t('pg.f.valid_from')} type="date" value={textOf(v('validFrom'))} onChange={(x) => edit(['promotions', i, 'validFrom'], x === '' ? null : x)} />
                <TextField path={at('validUntil')} label={t('pg.f.valid_until')} type="date" value={textOf(v('validUntil'))} onChange={(x) => edit(['promotions', i, 'validUntil'], x === '' ? null : x)} />
                <TextField
                  path={at('categories')}
                  label={t('pg.f.categories')}
                  hint={t('pg.h.categories')}
                  wide
                  value={listText(v('categories'))}
                  onChange={(x) => edit(['promotions', i, 'categories'], x.trim() === '' ? null : listOf(x))}
                />
              </Group>
            );
          })}
        </Group>
        <button type="button" className="button-quiet" onClick={() => edit(['promotions'], [...promotions, { ...DEFAULT_PROMOTION, id: `promo-${promotions.length + 1}` }])}>
          {t('pg.add_promotion')}
        </button>
      </section>

      <section aria-labelledby="pg-tiers-h">
        <h3 id="pg-tiers-h">{t('pg.s.tiers')}</h3>
        <Group path="tiers.tiers" legend={t('pg.g.tiers')}>
          {tiers.map((tier, i) => {
            const at = (f: string) => pathOf('tiers', 'tiers', i, f);
            const share = getAt(tier, ['share']);
            return (
              <Group key={i} path={pathOf('tiers', 'tiers', i)} legend={t('pg.g.tier', { n: i + 1, name: textOf(getAt(tier, ['id'])) })}>
                <TextField path={at('id')} label={t('pg.f.id')} value={textOf(getAt(tier, ['id']))} onChange={(x) => edit(['tiers', 'tiers', i, 'id'], x)} />
                <TextField path={at('label.fr')} label={t('pg.f.name_fr')} value={textOf(getAt(tier, ['label', 'fr']))} onChange={(x) => edit(['tiers', 'tiers', i, 'label', 'fr'], x)} />
                <TextField path={at('label.en')} label={t('pg.f.name_en')} value={textOf(getAt(tier, ['label', 'en']))} onChange={(x) => edit(['tiers', 'tiers', i, 'label', 'en'], x)} />
                <TextField
                  path={at('share')}
                  label={t('pg.f.share')}
                  inputMode="decimal"
                  value={typeof share === 'number' ? String(Math.round(share * 10_000) / 100) : textOf(share)}
                  onChange={(x) => {
                    const n = numberOrText(x);
                    edit(['tiers', 'tiers', i, 'share'], typeof n === 'number' ? Math.round(n * 100) / 10_000 : n);
                  }}
                />
              </Group>
            );
          })}
          <TextField path="tiers.newMemberTier" label={t('pg.f.new_member_tier')} value={textOf(get('tiers.newMemberTier'))} onChange={(x) => edit(['tiers', 'newMemberTier'], x)} />
        </Group>
      </section>

      <section aria-labelledby="pg-cadence-h">
        <h3 id="pg-cadence-h">{t('pg.s.cadence')}</h3>
        <Group path="cadence" legend={t('pg.g.cadence')}>
          <TextField path="cadence.voucherCents" label={t('pg.f.voucher')} hint={t('pg.h.euros')} inputMode="decimal" value={euros(get('cadence.voucherCents'))} onChange={(x) => edit(['cadence', 'voucherCents'], centsOf(x))} />
          <TextField
            path="cadence.voucherEveryVisits"
            label={t('pg.f.every_visits')}
            hint={t('pg.h.empty_none')}
            inputMode="numeric"
            value={textOf(get('cadence.voucherEveryVisits'))}
            onChange={(x) => edit(['cadence', 'voucherEveryVisits'], nullableNumber(x))}
          />
          <TextField
            path="cadence.voucherEachPoints"
            label={t('pg.f.each_points')}
            hint={t('pg.h.empty_none')}
            inputMode="numeric"
            value={textOf(get('cadence.voucherEachPoints'))}
            onChange={(x) => edit(['cadence', 'voucherEachPoints'], nullableNumber(x))}
          />
          <NumberInput path="cadence.validityDays" label={t('pg.f.validity_days')} value={get('cadence.validityDays')} onChange={(x) => edit(['cadence', 'validityDays'], x)} />
          <TextField path="cadence.tiers" label={t('pg.f.cadence_tiers')} hint={t('pg.h.list')} value={listText(get('cadence.tiers'))} onChange={(x) => edit(['cadence', 'tiers'], listOf(x))} />
        </Group>
      </section>
    </div>
  );
}
