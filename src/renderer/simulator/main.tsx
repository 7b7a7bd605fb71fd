import '../common/base.css';
import './simulator.css';
import { boot } from '../common/boot';
import { SimulatorPanel } from './SimulatorPanel';

void boot('simulator', SimulatorPanel);
