/**
 * Where the two windows go, as a pure function of the connected displays so
 * hot-plugging the customer screen is unit-tested without a desk of monitors.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of Electron's Display we read. */
export interface DisplayLike {
  id: number;
  bounds: Rect;
  workArea: Rect;
}

export interface WindowSpot {
  displayId: number;
  bounds: Rect;
  /** Fullscreen (kiosk) on its own display, or a normal window sharing one. */
  fullscreen: boolean;
}

export interface Placement {
  cashier: WindowSpot;
  customer: WindowSpot;
  /** True when the customer window has a display of its own. */
  customerHasOwnDisplay: boolean;
}

/** Used only if the OS reports no display at all (it happens briefly on hot-unplug). */
const FALLBACK_AREA: Rect = { x: 0, y: 0, width: 1280, height: 800 };

function chooseCustomerDisplay(displays: DisplayLike[], primary: DisplayLike | undefined, preferredId: number | null | undefined): DisplayLike | undefined {
  const others = displays.filter((d) => d !== primary);
  if (preferredId !== null && preferredId !== undefined) {
    const preferred = others.find((d) => d.id === preferredId);
    if (preferred) return preferred;
  }
  return others[0];
}

/**
 * The cashier window takes the primary display; the customer window takes the
 * configured display if it is connected, else the first other one. With a
 * single display both become normal windows side by side on it, so the till
 * stays usable until the customer screen comes back.
 */
export function placeWindows(displays: DisplayLike[], primaryId: number, preferredCustomerDisplayId?: number | null): Placement {
  const primary = displays.find((d) => d.id === primaryId) ?? displays[0];
  const customerDisplay = chooseCustomerDisplay(displays, primary, preferredCustomerDisplayId);

  if (primary && customerDisplay) {
    return {
      cashier: { displayId: primary.id, bounds: { ...primary.bounds }, fullscreen: true },
      customer: { displayId: customerDisplay.id, bounds: { ...customerDisplay.bounds }, fullscreen: true },
      customerHasOwnDisplay: true,
    };
  }

  const area = primary?.workArea ?? FALLBACK_AREA;
  const displayId = primary?.id ?? primaryId;
  const leftWidth = Math.ceil(area.width / 2);
  return {
    cashier: { displayId, bounds: { x: area.x, y: area.y, width: leftWidth, height: area.height }, fullscreen: false },
    customer: {
      displayId,
      bounds: { x: area.x + leftWidth, y: area.y, width: area.width - leftWidth, height: area.height },
      fullscreen: false,
    },
    customerHasOwnDisplay: false,
  };
}
