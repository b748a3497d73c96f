import { Controller, type Type } from '@nestjs/common';

/**
 * The module's controllers carry no `@Controller`: each is mounted as a
 * subclass at the prefix chosen in forRoot (routes, guards and Swagger
 * metadata are inherited).
 */
export function mountController<T>(base: Type<T>, prefix: string): Type<T> {
  @Controller(prefix)
  class MountedController extends (base as Type<object>) {}
  Object.defineProperty(MountedController, 'name', {
    value: `${base.name}At${prefix.replace(/\W+/g, '_')}`,
  });
  return MountedController as Type<T>;
}
