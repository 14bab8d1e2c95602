import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WsModuleOptions } from './interfaces/ws-module-options.interface.js';

export const {
  ConfigurableModuleClass: WsConfigurableModule,
  MODULE_OPTIONS_TOKEN: WS_MODULE_OPTIONS,
  OPTIONS_TYPE: WS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WsModuleOptions>({ moduleName: 'Ws' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createWsOptions')
  // WsBroker is meant to be injectable anywhere, so the module is global unless told otherwise.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
