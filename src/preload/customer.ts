import { contextBridge, ipcRenderer } from 'electron';
import { exposeApi } from './expose';

exposeApi('customer', contextBridge, ipcRenderer);
