import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The import rules are only worth having if they fire: lint small snippets as if they sat in each folder. */
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('layering rules', () => {
  it.each([
    ['src/shared/domain/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    ['src/shared/domain/x.ts', "import { createCore } from '../../main/core/core';\nexport const x = createCore;"],
    ['src/shared/domain/x.ts', "import { useState } from 'react';\nexport const x = useState;"],
    ['src/main/core/x.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['src/main/core/x.ts', "import { startWebBridge } from '../web-bridge/web-bridge';\nexport const x = startWebBridge;"],
    ['src/main/web-bridge/x.ts', "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;"],
    ['src/main/till-api/x.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['src/hq/x.ts', "import { startWebBridge } from '../main/web-bridge/web-bridge';\nexport const x = startWebBridge;"],
    ['src/main/core/x.ts', "import { startHq } from '../../hq/server';\nexport const x = startHq;"],
    ['src/main/core/x.ts', "import { startTillApi } from '../till-api/till-api';\nexport const x = startTillApi;"],
    ['src/main/electron/x.ts', "import { startWebBridge } from '../web-bridge/web-bridge';\nexport const x = startWebBridge;"],
    ['src/main/electron/x.ts', "import { ipcMain } from 'electron';\nexport const x = ipcMain;"],
    ['src/renderer/cashier/x.ts', "import Database from 'better-sqlite3';\nexport const x = Database;"],
    ['src/renderer/cashier/x.ts', "import { createCore } from '../../main/core/core';\nexport const x = createCore;"],
    ['src/renderer/cashier/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;"],
    ['src/preload/x.ts', "import { readFileSync } from 'fs';\nexport const x = readFileSync;"],
  ])('%s refuses: %s', async (file, code) => {
    expect(await violations(file, code)).not.toEqual([]);
  });

  it.each([
    ['src/shared/domain/x.ts', "import { z } from 'zod';\nexport const x = z;"],
    ['src/main/core/x.ts', "import Database from 'better-sqlite3';\nexport const x = Database;"],
    ['src/main/electron/x.ts', "import { app } from 'electron';\nimport { createCore } from '../core/core';\nexport const x = [app, createCore];"],
    ['src/preload/x.ts', "import { contextBridge } from 'electron';\nimport { methodsForRole } from '../shared/contract';\nexport const x = [contextBridge, methodsForRole];"],
    ['src/renderer/cashier/x.ts', "import { useState } from 'react';\nimport { formatCardNumber } from '../../shared/domain/card-number';\nexport const x = [useState, formatCardNumber];"],
  ])('%s allows: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
