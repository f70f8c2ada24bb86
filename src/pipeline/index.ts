export { AsyncPipeline, AsyncPipelineProps, PipelineRoute } from './async-pipeline';
export { Chain } from './chain';
export { GatewayTool, ToolParameter, ToolParameterType } from './gateway';
export { ArgoCdApplication, ArgoCdApplicationProps, ArgoCdRetryOptions } from './argocd-application';
export { FluxKustomization, FluxKustomizationProps, FluxSourceKind } from './flux-kustomization';
