import { useState, type MouseEvent } from 'react';
import { nextShift, shiftAfter, typedChar, type KeyboardLayout, type KeySpec, type ShiftState, type TextEdit } from './keyboard-layout';
import { useApp } from './app-context';
import './OnScreenKeyboard.css';

interface OnScreenKeyboardProps {
  layout: KeyboardLayout;
  /** A character typed or deleted; the owner applies it to the field it is editing. */
  onEdit(edit: TextEdit): void;
  /** The « OK / Suivant » key. */
  onEnter(): void;
}

// Pressing a key must not take the focus (and its caret) away from the field
// being edited, or a physical keyboard would stop typing into it.
const keepFocus = (event: MouseEvent) => event.preventDefault();

/**
 * A touchscreen keyboard of real buttons: each key is reachable by touch,
 * mouse and keyboard, and the ones whose face a screen reader would mangle
 * (accents, symbols, function keys) carry a spoken name.
 */
export function OnScreenKeyboard({ layout, onEdit, onEnter }: OnScreenKeyboardProps) {
  const { t } = useApp();
  const [shift, setShift] = useState<ShiftState>('off');

  function press(key: KeySpec) {
    const action = key.action;
    switch (action.kind) {
      case 'char': {
        onEdit({ kind: 'insert', text: typedChar(action.char, shift) });
        setShift(shiftAfter(action.char, shift));
        break;
      }
      case 'space':
        onEdit({ kind: 'insert', text: ' ' });
        break;
      case 'backspace':
        onEdit({ kind: 'backspace' });
        break;
      case 'shift':
        setShift(nextShift(shift));
        break;
      case 'enter':
        onEnter();
        break;
    }
  }

  function face(key: KeySpec) {
    switch (key.action.kind) {
      case 'char':
        return typedChar(key.action.char, shift);
      case 'space':
        return t('customer.key.space');
      case 'backspace':
        return <span aria-hidden="true">⌫</span>;
      case 'shift':
        return <span aria-hidden="true">{shift === 'locked' ? '⇪' : '⇧'}</span>;
      case 'enter':
        return (
          <>
            <span className="osk-enter-main">{t('customer.key.enter')}</span>
            <span className="osk-enter-sub">{t('customer.key.enter_sub')}</span>
          </>
        );
    }
  }

  function spokenName(key: KeySpec): string | undefined {
    if (key.action.kind === 'shift' && shift === 'locked') return t('customer.key.caps_locked');
    if (!key.labelKey) return undefined;
    const letter = key.labelLetter === undefined ? undefined : shift === 'off' ? key.labelLetter : key.labelLetter.toLocaleUpperCase('fr');
    return t(key.labelKey, letter === undefined ? undefined : { letter });
  }

  return (
    <div className={`osk osk--${layout.id}`} role="group" aria-label={t(layout.labelKey)}>
      {layout.blocks.map((block) => (
        <div key={block.id} className={`osk-block osk-block--${block.id} osk-cols-${block.columns}`}>
          {block.rows.flat().map((key) => (
            <button
              key={key.id}
              type="button"
              className={`osk-key osk-span-${key.span} osk-key--${key.action.kind}${key.action.kind === 'enter' ? ' primary' : ''}`}
              aria-label={spokenName(key)}
              aria-pressed={key.action.kind === 'shift' ? shift !== 'off' : undefined}
              onMouseDown={keepFocus}
              onClick={() => press(key)}
            >
              {face(key)}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
