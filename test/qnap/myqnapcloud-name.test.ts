import t from 'tap';
import { myQnapCloudName } from '../../src/qnap/myqnapcloud-name.js';

t.test('bare names get myqnapcloud.com; QNAP DDNS names are kept; anything else is refused', async (t) => {
  t.equal(myQnapCloudName('mynas'), 'mynas.myqnapcloud.com');
  t.equal(myQnapCloudName('MyNAS'), 'mynas.myqnapcloud.com');
  t.equal(myQnapCloudName('home-nas.myqnapcloud.com'), 'home-nas.myqnapcloud.com');
  t.equal(myQnapCloudName('home.myqnapcloud.cn.'), 'home.myqnapcloud.cn');
  t.equal(myQnapCloudName('x.mycloudnas.com'), 'x.mycloudnas.com');
  for (const bad of ['', 'example.com', 'myqnapcloud.com', 'evil.myqnapcloud.com.example.org', 'a_b', '-nas', 'nas;id', '192.168.1.1', 'x.myqnapcloud.io', 'a'.repeat(64)]) {
    t.throws(() => myQnapCloudName(bad), { code: 'EXP_ERR_MYQNAPCLOUD_NAME' }, JSON.stringify(bad));
  }
});
