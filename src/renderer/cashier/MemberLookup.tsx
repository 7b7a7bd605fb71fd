import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { SearchField, SearchHit } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { formatFrenchPhone } from '../../shared/domain/phone';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { isOverlongNumber, lookupIntent } from './lookup-input';
import { SEARCH_MAX, useMemberSearch } from './use-member-search';
import { useWedgeScanner } from './use-wedge-scanner';

interface MemberLookupProps {
  inputRef: RefObject<HTMLInputElement | null>;
  /** Identify a card number or wallet QR; rejects with the ApiError to show. */
  onIdentify(code: string): Promise<void>;
  /** Pick a search hit; rejects with the ApiError to show. */
  onSelect(hit: SearchHit): Promise<void>;
}

/**
 * The cashier's one input, where a keyboard-wedge scanner types too: a
 * combobox (ARIA 1.2 pattern) whose listbox holds the ranked search hits.
 * Focus never leaves the input; the active option is announced through
 * aria-activedescendant.
 */
export function MemberLookup({ inputRef, onIdentify, onSelect }: MemberLookupProps) {
  const { t } = useApp();
  const baseId = useId();
  const listboxId = `${baseId}-listbox`;
  const statusId = `${baseId}-status`;
  const errorId = `${baseId}-error`;
  const [text, setText] = useState('');
  const [activeId, setActiveId] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const working = useRef(false);
  const results = useMemberSearch();

  const intent = lookupIntent(text);
  const hits = intent.kind === 'search' ? results.hits : [];
  const open = hits.length > 0;
  const activeIndex = hits.findIndex((h) => h.id === activeId);
  const active = activeIndex >= 0 ? hits[activeIndex] : undefined;
  const optionId = (hit: SearchHit) => `${baseId}-option-${hit.id}`;

  const activeOptionId = active ? optionId(active) : undefined;
  useEffect(() => {
    if (activeOptionId) document.getElementById(activeOptionId)?.scrollIntoView({ block: 'nearest' });
  }, [activeOptionId]);

  function clear() {
    setText('');
    setActiveId(null);
    results.reset();
  }

  function change(value: string) {
    setText(value);
    setActiveId(null);
    setFailure(null);
    const next = lookupIntent(value);
    if (next.kind === 'search') results.search(next.query);
    else results.reset();
  }

  async function run(action: () => Promise<void>) {
    // A scanner's Enter can arrive twice; the first call decides.
    if (working.current) return;
    working.current = true;
    setFailure(null);
    try {
      await action();
      clear();
    } catch (error) {
      setFailure(error);
    } finally {
      working.current = false;
    }
  }

  // What a wedge scanner typed may be garbled by the layout; the decoder's reading replaces it.
  useWedgeScanner((data) => {
    setText(data);
    setActiveId(null);
    results.reset();
    void run(() => onIdentify(data));
  });

  function choose(hit: SearchHit) {
    void run(() => onSelect(hit));
  }

  function submit() {
    if (active) return choose(active);
    if (intent.kind === 'code') return void run(() => onIdentify(intent.code));
    if (isOverlongNumber(text)) return void run(() => onIdentify(text.trim()));
    // A single hit is unambiguous; with several, the cashier picks one.
    const only = results.status === 'done' && hits.length === 1 ? hits[0] : undefined;
    if (only) return choose(only);
    if (hits.length > 1) setActiveId(hits[0]!.id);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (hits.length === 0) return;
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        const from = activeIndex < 0 ? (step === 1 ? -1 : 0) : activeIndex;
        setActiveId(hits[(from + step + hits.length) % hits.length]!.id);
        return;
      }
      case 'Escape':
        event.preventDefault();
        clear();
        setFailure(null);
        return;
      case 'Enter':
        event.preventDefault();
        submit();
        return;
    }
  }

  const problem = failure ?? (results.status === 'error' ? results.error : null);
  const problems = problem ? errorText(problem, t) : [];

  let status: string;
  if (intent.kind === 'none') status = t('cashier.lookup.hint');
  else if (intent.kind === 'code') status = t('cashier.lookup.hint_code');
  else if (hits.length > 0) status = t('cashier.lookup.hint_choose');
  else if (results.status === 'done') status = t('cashier.lookup.none');
  else if (results.status === 'pending') status = t('cashier.lookup.searching');
  else status = '';

  const announced =
    intent.kind === 'search' && results.status === 'done'
      ? hits.length === 0
        ? t('cashier.lookup.none')
        : results.more
          ? t('cashier.lookup.count_more', { count: hits.length })
          : hits.length === 1
            ? t('cashier.lookup.count_one')
            : t('cashier.lookup.count_other', { count: hits.length })
      : '';
  const canMore = open && results.more && results.status === 'done' && hits.length < SEARCH_MAX;

  return (
    <div className="lookup" role="search">
      <label className="lookup-label" htmlFor={`${baseId}-input`}>
        {t('cashier.lookup.label')}
      </label>
      <div className="lookup-row">
        <input
          id={`${baseId}-input`}
          ref={inputRef}
          className="lookup-input"
          type="text"
          role="combobox"
          autoFocus
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          enterKeyHint="search"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listboxId}
          aria-activedescendant={activeOptionId}
          aria-describedby={problems.length > 0 ? `${errorId} ${statusId}` : statusId}
          aria-invalid={problems.length > 0 ? true : undefined}
          value={text}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="button" className="primary" onClick={submit} disabled={intent.kind === 'none'}>
          {t('cashier.lookup.submit')}
        </button>
      </div>
      <div id={errorId} className="lookup-error" role="alert">
        {problems.map((p) => (
          <p key={p}>{p}</p>
        ))}
      </div>
      <p id={statusId} className="lookup-status">
        {status}
      </p>
      <p className={open ? 'lookup-count' : 'visually-hidden'} aria-live="polite" data-testid="cashier-lookup-count">
        {announced}
      </p>
      <ul id={listboxId} role="listbox" aria-label={t('cashier.lookup.results')} className="hits" hidden={!open}>
        {hits.map((hit) => (
          <li
            key={hit.id}
            id={optionId(hit)}
            role="option"
            aria-selected={hit.id === activeId}
            className="hit"
            // Keeps focus (and the scanner's keystrokes) in the input.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(hit)}
          >
            <HitContent hit={hit} />
          </li>
        ))}
      </ul>
      {canMore && (
        <button
          type="button"
          className="lookup-more"
          // Keeps focus (and the scanner's keystrokes) in the input.
          onMouseDown={(e) => e.preventDefault()}
          onClick={results.showMore}
        >
          {t('cashier.lookup.more')}
        </button>
      )}
    </div>
  );
}

function HitContent({ hit }: { hit: SearchHit }) {
  const { t } = useApp();
  const field = (name: SearchField, content: ReactNode) =>
    hit.matched === name ? <mark className="match">{content}</mark> : content;
  return (
    <>
      <span className="hit-name">
        {field('first_name', hit.firstName)} {field('last_name', hit.lastName)}
      </span>
      <span className="hit-card">{field('card', formatCardNumber(hit.cardNumber))}</span>
      <span className="hit-contact">
        {hit.phone && <span className="hit-phone">{field('phone', formatFrenchPhone(hit.phone))}</span>}
        {hit.email && (
          <span className="hit-email" title={hit.email}>
            {field('email', hit.email)}
          </span>
        )}
      </span>
      <span className="hit-matched">{t('cashier.lookup.matched', { field: t(`cashier.field.${hit.matched}`) })}</span>
    </>
  );
}
