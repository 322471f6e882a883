import type { ComponentType } from 'preact';
import type { RouteName } from '../../shared/api/routes';
import type { Lang } from './i18n';
import { may } from './permissions';
import type { StaffRole } from './session';

// The screens of the console. A screen is shown (in the nav and by URL) to a role that
// may call every route in `needs`: who may call a route comes from the API's route table,
// so no role list is kept here. See console/README.md for adding one.

export interface ScreenProps {
  /** the path's parameters (`:orderId`) */
  params: Record<string, string>;
  /** the query part of the URL (#/orders?phone=...) */
  query: URLSearchParams;
}

export interface ScreenDef {
  id: string;
  /** hash path; `:name` is a parameter */
  path: string;
  /** the nav entry's label; screens without one are reached from others (the order page) */
  nav?: Record<Lang, string>;
  /** the API routes the screen cannot work without */
  needs: RouteName[];
  /** the screen's module (loaded when first opened; its default export is the component) */
  load: () => Promise<{ default: ComponentType<ScreenProps> }>;
}

export const SCREENS: ScreenDef[] = [
  {
    id: 'review', path: '/review', nav: { en: 'Review queue', 'zh-Hant': '審核佇列' },
    needs: ['listOrders', 'approveOrder'], load: () => import('./screens/review'),
  },
  {
    id: 'orders', path: '/orders', nav: { en: 'Orders', 'zh-Hant': '訂單查詢' },
    needs: ['listOrders'], load: () => import('./screens/orders'),
  },
  {
    id: 'order', path: '/orders/:orderId',
    needs: ['orderStory'], load: () => import('./screens/order'),
  },
  {
    id: 'notifications', path: '/notifications', nav: { en: 'Notifications', 'zh-Hant': '通知' },
    needs: ['listNotifications'], load: () => import('./screens/notifications'),
  },
  {
    id: 'settings', path: '/settings', nav: { en: 'Settings', 'zh-Hant': '設定' },
    needs: ['getWorkflowSettings', 'putWorkflowSettings'], load: () => import('./screens/settings'),
  },
  {
    id: 'stock', path: '/stock', nav: { en: 'Stock', 'zh-Hant': '庫存' },
    needs: ['listStock', 'getStock', 'stockLedger'], load: () => import('./screens/stock'),
  },
  {
    id: 'fulfilment', path: '/fulfilment', nav: { en: 'Fulfilment', 'zh-Hant': '出貨作業' },
    needs: ['listOrders', 'createFulfilment', 'pickList', 'packFulfilment', 'createShipment'], load: () => import('./screens/fulfilment'),
  },
  {
    id: 'aftersales', path: '/aftersales', nav: { en: 'After-sales', 'zh-Hant': '售後服務' },
    needs: ['listReturns'], load: () => import('./screens/aftersales'),
  },
  {
    id: 'reports', path: '/reports', nav: { en: 'Reports', 'zh-Hant': '報表' },
    needs: ['salesReport', 'profitReport', 'fulfillmentTimesReport'], load: () => import('./screens/reports'),
  },
];

export const allowed = (screen: ScreenDef, roles: readonly StaffRole[]) => screen.needs.every((r) => may(roles, r));
