// Types for what the tests import from build.mjs.
export declare const BUILD_HASH_FILE: string;
export declare function buildInputsHash(root?: string): string;
export declare function declareSideEffectFree(root?: string): void;
export declare function buildAction(): Promise<void>;
export declare function buildPackage(): Promise<void>;
