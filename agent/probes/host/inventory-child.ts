// The host probe's inventory, read in a process of its own and printed as JSON
// (readInventoryInChild in inventory.ts starts it and reads the output).
import { systemPlatform } from '../platform/platform.ts';
import { readInventory, systemInventorySource } from './inventory.ts';

process.stdout.write(JSON.stringify(await readInventory(systemInventorySource, systemPlatform())));
